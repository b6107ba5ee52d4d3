import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'user_player_associations' })
export class UserPlayerAssociation {
  @PrimaryColumn({ name: 'user_id', type: 'integer' })
  userId!: number;

  @PrimaryColumn({ name: 'tenniscores_player_id', type: 'text' })
  tenniscoresPlayerId!: string;

  @Column({ name: 'is_primary', type: 'boolean' })
  isPrimary!: boolean;
}
