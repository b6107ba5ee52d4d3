import { Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';

import { Club } from './club.ts';
import { League } from './league.ts';
import { Series } from './series.ts';

@Entity({ name: 'teams' })
export class Team {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ name: 'club_id', type: 'integer' })
  clubId!: number;

  @Column({ name: 'series_id', type: 'integer' })
  seriesId!: number;

  @Column({ name: 'league_id', type: 'integer' })
  leagueId!: number;

  @Column({ name: 'team_name', type: 'text' })
  teamName!: string;

  @Column({ name: 'team_alias', type: 'text', nullable: true })
  teamAlias!: string | null;

  @Column({ name: 'display_name', type: 'text', nullable: true })
  displayName!: string | null;

  @Column({ name: 'is_active', type: 'boolean' })
  isActive!: boolean;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  /** The relations share the id columns above: loaded only when a query joins them. */
  @ManyToOne(() => Club, { nullable: false })
  @JoinColumn({ name: 'club_id' })
  club!: Club;

  @ManyToOne(() => Series, { nullable: false })
  @JoinColumn({ name: 'series_id' })
  series!: Series;

  @ManyToOne(() => League, { nullable: false })
  @JoinColumn({ name: 'league_id' })
  league!: League;
}
