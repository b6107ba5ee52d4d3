// The sources layer: feed files in, validated and normalised records out. No database access here.
export { FEED_FILES, openLeagueFeed } from './league-feed.ts';
export * from './normalise.ts';
export { openSource } from './open-source.ts';
export type * from './records.ts';
export { openTeamsFile, TEAMS_FILE_COLUMNS } from './teams-file.ts';
