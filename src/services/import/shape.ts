import type { PoolClient } from 'pg';
import type { EntityManager } from 'typeorm';

import { type CatalogColumn, tableColumns, uniqueKeys } from '../../db/catalog.ts';
import type { Rejection, SourceItem } from '../../sources/records.ts';

/**
 * The reference tables as the catalog describes them at the start of a run, so the upserts fit the
 * database they write to (the tool's own migrations, or an adopted platform database) instead of
 * assuming one shape: unique keys, optional columns, column types and lengths.
 */
export interface ImportShape {
  /** Expression of a club's match key: the generated `name_key`, else computed from `name`. */
  clubKey(alias: string): string;
  /** Series carry their league (the tool's shape); else only series_leagues links them. */
  seriesHaveLeague: boolean;
  /** `series.name` is unique by itself (the platform's `series_name_key`): one row per name. */
  seriesNameUnique: boolean;
  /** `, updated_at = now()` for tables that have the column, else nothing. */
  touch(table: string): string;
  /** The optional player columns the table has, of pti, wins, losses, captain. */
  playerColumns: string[];
  /** SQL type of schedule.match_time (text in the tool's shape, time on the platform). */
  matchTimeType: string;
  /** A unique key on (team_name, league_id) besides the natural key. */
  teamNameUnique: string | null;
  /** Longest value each staged field may hold, from character varying(n) columns. */
  limits: Partial<Record<LimitedField, number>>;
}

export type LimitedField =
  | 'league'
  | 'club'
  | 'series'
  | 'seriesDisplay'
  | 'teamName'
  | 'teamAlias'
  | 'externalId'
  | 'firstName'
  | 'lastName'
  | 'homeTeam'
  | 'awayTeam'
  | 'location'
  | 'statsSeries'
  | 'statsTeam';

const LIMITED: Record<LimitedField, [table: string, column: string]> = {
  league: ['leagues', 'league_id'],
  club: ['clubs', 'name'],
  series: ['series', 'name'],
  seriesDisplay: ['series', 'display_name'],
  teamName: ['teams', 'team_name'],
  teamAlias: ['teams', 'team_alias'],
  externalId: ['players', 'tenniscores_player_id'],
  firstName: ['players', 'first_name'],
  lastName: ['players', 'last_name'],
  homeTeam: ['schedule', 'home_team'],
  awayTeam: ['schedule', 'away_team'],
  location: ['schedule', 'location'],
  statsSeries: ['series_stats', 'series'],
  statsTeam: ['series_stats', 'team'],
};

const OPTIONAL_PLAYER_COLUMNS = ['pti', 'wins', 'losses', 'captain'];

export async function readImportShape(client: PoolClient): Promise<ImportShape> {
  const db = {
    query: async (sql: string, params?: unknown[]) => (await client.query(sql, params)).rows,
  } as unknown as Pick<EntityManager, 'query'>;
  const tables = ['leagues', 'clubs', 'series', 'teams', 'players', 'schedule', 'series_stats'];
  const columns = new Map<string, Map<string, CatalogColumn>>();
  for (const table of tables) columns.set(table, await tableColumns(db, table));
  const has = (table: string, column: string) => columns.get(table)?.has(column) ?? false;
  const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((c) => b.includes(c));
  const seriesKeys = await uniqueKeys(db, 'series');
  const teamKeys = await uniqueKeys(db, 'teams');
  const limits: ImportShape['limits'] = {};
  for (const [field, [table, column]] of Object.entries(LIMITED)) {
    const max = columns.get(table)?.get(column)?.maxLength;
    if (max) limits[field as LimitedField] = max;
  }
  return {
    clubKey: has('clubs', 'name_key')
      ? (alias) => `${alias}.name_key`
      : (alias) => `bpetl.name_key(${alias}.name)`,
    seriesHaveLeague: has('series', 'league_id'),
    seriesNameUnique: seriesKeys.some((k) => sameSet(k.columns, ['name'])),
    touch: (table) => (has(table, 'updated_at') ? ', updated_at = now()' : ''),
    playerColumns: OPTIONAL_PLAYER_COLUMNS.filter((c) => has('players', c)),
    matchTimeType: columns.get('schedule')?.get('match_time')?.sqlType ?? 'text',
    teamNameUnique: teamKeys.find((k) => sameSet(k.columns, ['team_name', 'league_id']))?.name ?? null,
    limits,
  };
}

/** The tool's own shape, for callers that build statements without a database at hand. */
export const OWN_SHAPE: ImportShape = {
  clubKey: (alias) => `${alias}.name_key`,
  seriesHaveLeague: true,
  seriesNameUnique: false,
  touch: () => ', updated_at = now()',
  playerColumns: OPTIONAL_PLAYER_COLUMNS,
  matchTimeType: 'text',
  teamNameUnique: null,
  limits: {},
};

/** The fields of a record that a column length bounds, with their values. */
function limitedValues(item: SourceItem): Array<[LimitedField, string, string | null]> {
  switch (item.kind) {
    case 'team': {
      const r = item.record;
      return [
        ['league', 'league', r.league],
        ['club', 'club', r.club],
        ['series', 'series', r.series],
        ['seriesDisplay', 'series', r.seriesDisplay],
        ['teamName', 'team', r.teamName],
        ['teamAlias', 'team', r.teamAlias],
      ];
    }
    case 'player':
      return [
        ['externalId', 'Player ID', item.record.externalId],
        ['firstName', 'First Name', item.record.firstName],
        ['lastName', 'Last Name', item.record.lastName],
      ];
    case 'fixture':
      return [
        ['homeTeam', 'home_team', item.record.homeTeamName ?? item.record.homeTeam],
        ['awayTeam', 'away_team', item.record.awayTeamName ?? item.record.awayTeam],
        ['location', 'location', item.record.location],
      ];
    case 'stats':
      return [
        ['statsSeries', 'series', item.record.series],
        ['statsTeam', 'team', item.record.teamName],
      ];
    default:
      return [];
  }
}

/**
 * A record with a value longer than its column allows is rejected with the reason (it would fail
 * the whole run's INSERT otherwise). Null when it fits.
 */
export function lengthRejection(item: SourceItem, shape: ImportShape): Rejection | null {
  for (const [field, label, value] of limitedValues(item)) {
    const max = shape.limits[field];
    if (max === undefined || value === null || value.length <= max) continue;
    const [table, column] = LIMITED[field];
    const source = (item as { record: { source: { file: string; index: number } } }).record.source;
    return {
      file: source.file,
      index: source.index,
      field: label,
      reason: `is ${value.length} characters long; ${table}.${column} holds at most ${max}`,
      value: value.slice(0, 80),
    };
  }
  return null;
}
