export type {
  FixtureRecord,
  PlayerRecord,
  PracticeRecord,
  ScheduleRecord,
  SeriesStatsRecord,
} from './feed-records.ts';
export { isPractice } from './feed-records.ts';
export { FeedLayout, type SeriesRename, type TeamChange } from './layout.ts';
export { LEAGUE_CODES, type LeagueCode } from './league-codes.ts';
export {
  type GeneratedTeam,
  generateLeagueFeed,
  type LeagueFeed,
  type LeagueFeedOptions,
} from './league-feed.ts';
export { createRandom, hash32, type Random, randomFor, type Seed } from './random.ts';
export {
  seedUserData,
  seedUserDataOn,
  type SeedUserDataOptions,
  type SeedUserDataResult,
  USER_ROWS_PER_GROUP,
} from './user-data.ts';
export {
  FEED_FILES,
  TEAMS_FILE_COLUMNS,
  type WriteFeedOptions,
  type WriteFeedResult,
  writeJsonArray,
  writeLeagueFeed,
  writeTeamsCsv,
  writeTeamsNdjson,
} from './write-feed.ts';
