import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'user_contexts' })
export class UserContext {
  @PrimaryColumn({ name: 'user_id', type: 'integer' })
  userId!: number;

  @Column({ name: 'active_team_id', type: 'integer', nullable: true })
  activeTeamId!: number | null;
}
