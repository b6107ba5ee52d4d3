import type { PlayerRecord, SeriesStatsRecord } from './feed-records.ts';
import type { SeriesInfo, TeamInfo } from './layout.ts';
import type { Random } from './random.ts';

/** Records whose content is a function of their inputs alone: standings, and the newer players format. */

/**
 * A team's row of series_stats.json; without `rng`, the empty row of a BYE (NSTF's Sunday series
 * report none either).
 */
export function statsRecord(series: SeriesInfo, team: string, rng: Random | null): SeriesStatsRecord {
  const league = series.league;
  const base = { series: series.name, team, league_id: league };
  if (rng === null || (league === 'NSTF' && series.kind === 'sunday')) {
    return {
      ...base,
      points: 0,
      matches: { won: 0, lost: 0, tied: 0, percentage: '0.0%' },
      lines: { won: 0, lost: 0, for: 0, ret: 0, percentage: '0.0%' },
      sets: { won: 0, lost: 0, percentage: '0.0%' },
      games: { won: 0, lost: 0, percentage: '0.0%' },
      source_league: league,
    };
  }
  const played = rng.int(6, 18);
  const tied = rng.chance(0.15) ? rng.int(1, 2) : 0;
  const won = rng.int(0, played - tied);
  const lost = played - won - tied;
  const matches = { won, lost, tied, percentage: percent(won, played) };
  if (league === 'CITA') {
    // CITA's scrape shifts its columns: lines carry match counts, sets carry games, games are empty.
    return {
      ...base,
      points: 0,
      matches,
      lines: {
        won: won * 4 + rng.int(0, 8),
        lost: rng.int(0, 8),
        for: rng.int(0, 50),
        ret: 0,
        percentage: String(rng.int(0, 1)),
      },
      sets: { won: 0, lost: rng.int(200, 1200), percentage: String(rng.int(100, 1200)) },
      games: { won: 0, lost: 0, percentage: '' },
      source_league: league,
    };
  }
  const linesWon = won * 3 + rng.int(0, played);
  const linesLost = lost * 3 + rng.int(0, played);
  const setsWon = linesWon * 2 + rng.int(0, 10);
  const setsLost = linesLost * 2 + rng.int(0, 10);
  const gamesWon = setsWon * 6 + rng.int(0, 60);
  const gamesLost = setsLost * 6 + rng.int(0, 60);
  return {
    ...base,
    points: league === 'CNSWPL' ? 0 : linesWon * 2 + won * 2,
    matches,
    lines: {
      won: linesWon,
      lost: linesLost,
      for: rng.chance(0.2) ? rng.int(1, 3) : 0,
      ret: rng.chance(0.1) ? 1 : 0,
      percentage: percent(linesWon, linesWon + linesLost),
    },
    sets: { won: setsWon, lost: setsLost, percentage: percent(setsWon, setsWon + setsLost) },
    games: { won: gamesWon, lost: gamesLost, percentage: percent(gamesWon, gamesWon + gamesLost) },
    source_league: league,
  };
}

/** The newer players format: `Team` for `Series Mapping ID`, `Yes` captains, keys the import ignores. */
export function newFormat(record: PlayerRecord, team: TeamInfo): PlayerRecord {
  return {
    League: record.League,
    Series: record.Series,
    Team: record['Series Mapping ID'],
    Club: record.Club,
    'Player ID': record['Player ID'],
    'First Name': record['First Name'],
    'Last Name': record['Last Name'],
    PTI: record.PTI,
    Wins: record.Wins,
    Losses: record.Losses,
    'Win %': record['Win %'],
    Captain: record.Captain === '' ? '' : 'Yes',
    'Source URL': `https://example.test/leagues/${team.league.toLowerCase()}/teams/${team.index}`,
    validation_issues: record.Captain === 'CC' ? ['co-captain reported as captain'] : [],
    source_league: record.source_league,
  };
}

export function percent(part: number, whole: number): string {
  return whole === 0 ? '0.0%' : `${((part / whole) * 100).toFixed(1)}%`;
}
