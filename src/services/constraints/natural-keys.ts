import { seriesHaveLeague } from '../../db/catalog.ts';
import type { Db } from '../../db/sql.ts';

export type NaturalKey = (typeof NATURAL_KEYS)[number];

/** Natural keys the import upserts on; each must be enforced by a unique constraint or index. */
export const NATURAL_KEYS: ReadonlyArray<{
  table: string;
  name: string;
  columns: string[];
  /** Key columns allowed to be NULL (a series not yet linked to a league). */
  nullable?: string[];
}> = [
  { table: 'leagues', name: 'unique_league_id', columns: ['league_id'] },
  { table: 'clubs', name: 'unique_club_name', columns: ['name'] },
  {
    table: 'series',
    name: 'unique_series_league_name',
    columns: ['league_id', 'name'],
    nullable: ['league_id'],
  },
  { table: 'teams', name: 'unique_team_club_series_league', columns: ['club_id', 'series_id', 'league_id'] },
  {
    table: 'players',
    name: 'unique_player_league_club_series',
    columns: ['tenniscores_player_id', 'league_id', 'club_id', 'series_id'],
  },
];

/**
 * The natural keys of this database: where series have no league column (the platform links them
 * through series_leagues), a series name is unique across leagues, as its `series_name_key` says.
 */
export async function naturalKeys(db: Db): Promise<NaturalKey[]> {
  if (await seriesHaveLeague(db)) return [...NATURAL_KEYS];
  return NATURAL_KEYS.map((k) =>
    k.table === 'series' ? { table: 'series', name: 'unique_series_name', columns: ['name'] } : k,
  );
}
