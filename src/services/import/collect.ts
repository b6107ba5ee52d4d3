import type { Rejection, Source, SourceItem } from '../../sources/records.ts';
import { type ImportShape, lengthRejection } from './shape.ts';
import type { StagingWriter } from './staging.ts';

/** Rejections kept in a run's stats; the count is always complete. */
export const MAX_REPORTED_REJECTIONS = 200;

export interface CollectResult {
  read: number;
  rejected: number;
  rejections: Rejection[];
  /** Practice slots from the feed: counted, never imported (practice rows belong to users). */
  practices: number;
  /** Leagues with at least one player record staged: the ones whose roster the source lists. */
  playerLeagues: Set<string>;
}

export interface CollectHooks {
  /** Called every `every` items with the number read so far; may throw to stop (cancellation). */
  onItems?: (read: number) => Promise<void> | void;
  every?: number;
  /** The tables' shape: a record with a value longer than its column is rejected here. */
  shape?: ImportShape;
}

const CAPTAIN_CODES = { captain: 'C', 'co-captain': 'CC' } as const;

/** Streams a source's records into the staging tables; only rejections are kept in memory. */
export async function collect(
  source: Source,
  writer: StagingWriter,
  hooks: CollectHooks = {},
): Promise<CollectResult> {
  const result: CollectResult = {
    read: 0,
    rejected: 0,
    rejections: [],
    practices: 0,
    playerLeagues: new Set(),
  };
  const every = hooks.every ?? 10_000;
  // Only a database with bounded columns (the platform's varchar(255)) costs a check per record.
  const limited = hooks.shape && Object.keys(hooks.shape.limits).length > 0 ? hooks.shape : null;
  for await (const batch of source.batches()) {
    const before = result.read;
    for (const item of batch) {
      const tooLong = limited ? lengthRejection(item, limited) : null;
      stage(tooLong ? { kind: 'rejection', rejection: tooLong } : item, writer, result);
    }
    result.read += batch.length;
    await writer.flushFull();
    if (hooks.onItems && Math.floor(result.read / every) > Math.floor(before / every)) {
      await hooks.onItems(result.read);
    }
  }
  await writer.flushAll();
  return result;
}

function stage(item: SourceItem, writer: StagingWriter, result: CollectResult): void {
  switch (item.kind) {
    case 'team': {
      const r = item.record;
      return writer.add('stg_teams', [
        r.league,
        r.club,
        r.series,
        r.seriesDisplay,
        r.teamName,
        r.teamAlias,
        r.canonicalKey,
        r.listed,
        r.source.file,
        r.source.index,
      ]);
    }
    case 'player': {
      const r = item.record;
      result.playerLeagues.add(r.league);
      return writer.add('stg_players', [
        r.externalId,
        r.firstName,
        r.lastName,
        r.league,
        // '' rather than NULL: the import joins on these columns, and equality never holds for NULL.
        r.teamKey ?? '',
        r.pti,
        r.wins,
        r.losses,
        r.captainRole ? CAPTAIN_CODES[r.captainRole] : '',
        r.source.index,
        r.team,
        r.teamName ?? '',
        r.club,
        r.series,
        r.seriesName,
      ]);
    }
    case 'fixture': {
      const r = item.record;
      return writer.add('stg_fixtures', [
        r.league,
        r.date,
        r.time,
        // Fixtures are keyed by canonical team names, so a feed that spells a team the other way
        // refreshes the same row instead of adding a second one; a bye keeps the feed's text.
        r.homeTeamName ?? r.homeTeam,
        r.awayTeamName ?? r.awayTeam,
        r.homeKey,
        r.awayKey,
        r.location,
      ]);
    }
    case 'stats': {
      const r = item.record;
      return writer.add('stg_stats', [
        r.league,
        r.teamKey,
        r.series,
        r.teamName,
        r.points,
        r.matchesWon,
        r.matchesLost,
        r.matchesTied,
        r.linesWon,
        r.linesLost,
        r.setsWon,
        r.setsLost,
        r.gamesWon,
        r.gamesLost,
      ]);
    }
    case 'practice':
      result.practices++;
      return;
    case 'rejection':
      result.rejected++;
      if (result.rejections.length < MAX_REPORTED_REJECTIONS) result.rejections.push(item.rejection);
      return;
  }
}
