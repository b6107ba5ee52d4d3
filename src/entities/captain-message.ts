import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'captain_messages' })
export class CaptainMessage {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ name: 'team_id', type: 'integer', nullable: true })
  teamId!: number | null;

  @Column({ name: 'captain_user_id', type: 'integer', nullable: true })
  captainUserId!: number | null;

  @Column({ type: 'text' })
  message!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
