import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'polls' })
export class Poll {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ name: 'team_id', type: 'integer', nullable: true })
  teamId!: number | null;

  @Column({ name: 'created_by', type: 'integer', nullable: true })
  createdBy!: number | null;

  @Column({ type: 'text' })
  question!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

@Entity({ name: 'poll_choices' })
export class PollChoice {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ name: 'poll_id', type: 'integer' })
  pollId!: number;

  @Column({ name: 'choice_text', type: 'text' })
  choiceText!: string;
}

@Entity({ name: 'poll_responses' })
export class PollResponse {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ name: 'poll_id', type: 'integer' })
  pollId!: number;

  @Column({ name: 'choice_id', type: 'integer' })
  choiceId!: number;

  @Column({ name: 'player_id', type: 'integer', nullable: true })
  playerId!: number | null;
}
