import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'player_availability' })
export class PlayerAvailability {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ name: 'player_name', type: 'text' })
  playerName!: string;

  @Column({ name: 'player_id', type: 'integer', nullable: true })
  playerId!: number | null;

  @Column({ name: 'user_id', type: 'integer', nullable: true })
  userId!: number | null;

  @Column({ name: 'match_date', type: 'date' })
  matchDate!: string;

  @Column({ name: 'availability_status', type: 'integer' })
  availabilityStatus!: number;

  @Column({ name: 'series_id', type: 'integer', nullable: true })
  seriesId!: number | null;
}
