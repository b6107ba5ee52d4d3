import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'leagues' })
export class League {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  /** Natural key: the league code (APTA_CHICAGO, NSTF, CNSWPL, CITA, …). */
  @Column({ name: 'league_id', type: 'text' })
  leagueId!: string;

  @Column({ name: 'league_name', type: 'text' })
  leagueName!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
