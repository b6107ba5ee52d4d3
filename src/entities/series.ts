import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'series' })
export class Series {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ type: 'text' })
  name!: string;

  @Column({ name: 'display_name', type: 'text', nullable: true })
  displayName!: string | null;

  @Column({ name: 'league_id', type: 'integer', nullable: true })
  leagueId!: number | null;
}
