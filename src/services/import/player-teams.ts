import type { PoolClient } from 'pg';

import type { Rejection } from '../../sources/records.ts';
import { formatCount, type ImportWarning } from '../../sources/warnings.ts';
import * as sql from './player-teams.sql.ts';
import * as lists from './team-lists.sql.ts';

export interface PlayerAttachment {
  /** Player records grouped for matching by name (their key names no team of the import). */
  refs: number;
  warnings: ImportWarning[];
  /** Records that match no team, or more than one: the count, and the first ones. */
  rejected: number;
  rejections: Rejection[];
}

const PLAYERS_FILE = 'players.json';

const METHODS = {
  name: { code: 'PLAYERS_MATCHED_BY_NAME', how: 'matched by team name' },
  database: { code: 'PLAYERS_MATCHED_IN_DATABASE', how: "matched to the database's active teams by name" },
  marker: { code: 'PLAYERS_MATCHED_WITHOUT_MARKER', how: 'matched by team name without its division marker' },
} as const;

/**
 * Where the team lists contradict each other (schedules.json puts a team of series_stats.json in
 * another series), series_stats.json wins: the schedule's records move to its team. Runs on the
 * staged records, before the import's teams are built from them.
 */
export async function reconcileTeamLists(client: PoolClient): Promise<ImportWarning[]> {
  await client.query(lists.CREATE_TEAM_REMAP);
  const { rows } = await client.query<{
    league: string;
    teams: number;
    team_name: string;
    to_series: string;
    to_idx: number;
    from_series: string;
    from_idx: number;
  }>(lists.TEAM_REMAP_SUMMARY);
  if (rows.length === 0) return [];
  for (const statement of lists.APPLY_TEAM_REMAP) await client.query(statement);
  return rows.map((r) => ({
    code: 'TEAM_LISTS_DISAGREE',
    file: 'schedules.json',
    league: r.league,
    count: r.teams,
    sample: `"${r.team_name}": series_stats.json record ${r.to_idx} places it in ${r.to_series}, schedules.json record ${r.from_idx} in ${r.from_series}`,
    action: 'series_stats.json wins: the fixtures are attached to its team',
    message: `${formatCount(r.teams)} ${r.league} teams are in one series in series_stats.json and in another in schedules.json: series_stats.json wins`,
  }));
}

/** Leagues whose teams come from the players file, the source having no team list for them. */
export async function teamsFromPlayers(client: PoolClient): Promise<ImportWarning[]> {
  const { rows } = await client.query<{ league: string; teams: number }>(lists.UNLISTED_LEAGUES);
  return rows.map((r) => ({
    code: 'TEAMS_FROM_PLAYERS',
    file: PLAYERS_FILE,
    league: r.league,
    count: r.teams,
    sample: `${r.league}: no record of series_stats.json or schedules.json`,
    action: 'its teams are taken from the players file',
    message: `${r.league} has no team list in the source (series_stats.json, schedules.json): its ${formatCount(r.teams)} teams come from ${PLAYERS_FILE}`,
  }));
}

/**
 * Attaches every staged player record whose own key names no team of the import (see
 * player-teams.sql.ts): by name, by the database's teams, or without a division marker, on a
 * unique match only. The others are rejected with field `team`. Nothing is written but temp tables.
 */
export async function attachPlayers(client: PoolClient, maxRejections: number): Promise<PlayerAttachment> {
  const result: PlayerAttachment = { refs: 0, warnings: [], rejected: 0, rejections: [] };
  result.refs = (await client.query(sql.CREATE_PLAYER_REFS)).rowCount ?? 0;
  if (result.refs === 0) return result;
  await client.query(sql.CREATE_PLAYER_CANDIDATES);
  await client.query(sql.PICK_PLAYER_TEAMS);
  await client.query(sql.ADD_MATCHED_DATABASE_TEAMS);
  result.warnings.push(...(await matchedWarnings(client)));
  await rejectUnmatched(client, result, maxRejections);
  return result;
}

async function matchedWarnings(client: PoolClient): Promise<ImportWarning[]> {
  const { rows } = await client.query<{
    league: string;
    method: keyof typeof METHODS;
    records: number;
    record_series: number;
    team_series: number;
    series: string;
    team: string;
    idx: number;
    to_team: string;
    to_series: string;
  }>(sql.MATCHED_SUMMARY);
  return rows.map((r) => {
    const { code, how } = METHODS[r.method];
    const records = `${formatCount(r.records)} ${r.league} player records`;
    const message =
      r.record_series === 1 && r.team_series > 1
        ? `${records} name series ${r.series}, but their teams are in ${r.team_series} series of the team lists: ${how}`
        : `${records} name a team the team lists do not hold under that name and series: ${how}`;
    return {
      code,
      file: PLAYERS_FILE,
      league: r.league,
      count: r.records,
      sample: `record ${r.idx}: "${r.team}" in "${r.series}" → ${r.to_team} (${r.to_series})`,
      action: how,
      message,
    };
  });
}

async function rejectUnmatched(
  client: PoolClient,
  result: PlayerAttachment,
  maxRejections: number,
): Promise<void> {
  const { rows: leagues } = await client.query<{
    league: string;
    records: number;
    team: string;
    series: string;
    idx: number;
  }>(sql.UNMATCHED_SUMMARY);
  if (leagues.length === 0) return;
  for (const r of leagues) {
    result.rejected += r.records;
    result.warnings.push({
      code: 'PLAYERS_UNMATCHED',
      file: PLAYERS_FILE,
      league: r.league,
      count: r.records,
      sample: `record ${r.idx}: "${r.team}" in "${r.series}"`,
      action: 'rejected (field team)',
      message: `${formatCount(r.records)} ${r.league} player records match no single team of the team lists: rejected`,
    });
  }
  const { rows } = await client.query<{
    idx: number;
    league: string;
    team: string;
    series: string;
    candidates: string | null;
    candidate_count: number;
  }>(sql.UNMATCHED_RECORDS, [maxRejections]);
  for (const r of rows) {
    const asked = `team "${r.team}"${r.series ? ` in series "${r.series}"` : ''} (${r.league})`;
    result.rejections.push({
      file: PLAYERS_FILE,
      index: r.idx,
      field: 'team',
      reason:
        r.candidate_count > 1
          ? `${asked} fits ${r.candidate_count} teams of the team lists (${r.candidates}), and its series and club do not tell them apart`
          : `no team of the source's team lists matches ${asked}`,
      value: r.team,
    });
  }
}
