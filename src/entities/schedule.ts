import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A fixture from a feed, or a practice time a user created (away_team '', home_team `<Club> Practice - <Series>`). */
@Entity({ name: 'schedule' })
export class ScheduleEntry {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ name: 'league_id', type: 'integer', nullable: true })
  leagueId!: number | null;

  @Column({ name: 'match_date', type: 'date' })
  matchDate!: string;

  @Column({ name: 'match_time', type: 'text', nullable: true })
  matchTime!: string | null;

  @Column({ name: 'home_team', type: 'text' })
  homeTeam!: string;

  @Column({ name: 'away_team', type: 'text' })
  awayTeam!: string;

  @Column({ name: 'home_team_id', type: 'integer', nullable: true })
  homeTeamId!: number | null;

  @Column({ name: 'away_team_id', type: 'integer', nullable: true })
  awayTeamId!: number | null;

  @Column({ type: 'text', nullable: true })
  location!: string | null;
}
