import { identify, leagueOf, rejected, type RowHandler } from './feed-rows.ts';
import { parseCount } from './feed-values.ts';
import { RecordCheck } from './record-check.ts';
import type { SourceItem } from './records.ts';

/** series_stats.json: one team a row (its league, club, series and team name, and its standing). */

export const statsRow: RowHandler = (value, index, context) => {
  const check = new RecordCheck(context.file.file, index, context.state.maxLength);
  const record = check.object(value, context.plain);
  if (!record) return rejected(check);
  const league = leagueOf(record, ['league_id', 'League', 'source_league'], check, context);
  if (league === 'skip') return [];
  const team = check.text(record, 'team', true);
  const series = check.text(record, 'series');
  const count = (field: string) => check.parsed(record, field, parseCount, 'a whole number ≥ 0');
  const numbers = {
    points: count('points'),
    matchesWon: count('matches.won'),
    matchesLost: count('matches.lost'),
    matchesTied: count('matches.tied'),
    linesWon: count('lines.won'),
    linesLost: count('lines.lost'),
    linesFor: count('lines.for'),
    linesRet: count('lines.ret'),
    setsWon: count('sets.won'),
    setsLost: count('sets.lost'),
    gamesWon: count('games.won'),
    gamesLost: count('games.lost'),
  };
  if (!check.ok || !league) return rejected(check);
  const identity = identify(check, context, { team: 'team', series: 'series' }, { league, series, team });
  if (!identity) return rejected(check);
  if (!context.state.firstTime('stats', identity.canonicalKey, context.file)) return [];

  const source = { file: context.file.file, index };
  const items: SourceItem[] = [];
  const newTeam = context.state.newTeam(identity, source);
  if (newTeam) items.push(newTeam);
  items.push({
    kind: 'stats',
    record: {
      league,
      teamKey: identity.canonicalKey,
      series: identity.seriesName,
      teamName: identity.teamName,
      ...numbers,
      source,
    },
  });
  return items;
};

/** Captain markers in every spelling the scrapers used, any case; anything else is a warning. */
