import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'players' })
export class Player {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ name: 'tenniscores_player_id', type: 'text' })
  tenniscoresPlayerId!: string;

  @Column({ name: 'first_name', type: 'text' })
  firstName!: string;

  @Column({ name: 'last_name', type: 'text' })
  lastName!: string;

  @Column({ name: 'league_id', type: 'integer' })
  leagueId!: number;

  @Column({ name: 'club_id', type: 'integer' })
  clubId!: number;

  @Column({ name: 'series_id', type: 'integer' })
  seriesId!: number;

  @Column({ name: 'team_id', type: 'integer', nullable: true })
  teamId!: number | null;

  @Column({ name: 'is_active', type: 'boolean' })
  isActive!: boolean;

  @Column({ type: 'numeric', nullable: true })
  pti!: string | null;
}
