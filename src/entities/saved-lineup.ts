import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'saved_lineups' })
export class SavedLineup {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ name: 'user_id', type: 'integer', nullable: true })
  userId!: number | null;

  @Column({ name: 'team_id', type: 'integer', nullable: true })
  teamId!: number | null;

  @Column({ name: 'lineup_name', type: 'text' })
  lineupName!: string;

  @Column({ name: 'lineup_data', type: 'jsonb' })
  lineupData!: unknown;
}
