import { IMPORT_WARNING_CODES, type ImportWarning } from '../sources/warnings.ts';
import { builder } from './builder.ts';

export const ImportWarningCodeEnum = builder.enumType('ImportWarningCode', {
  values: IMPORT_WARNING_CODES,
  description:
    'What an import tolerated instead of rejecting: VALUE_UNREADABLE (an optional value stored as null or 0), PLAYERS_MATCHED_BY_NAME / _WITHOUT_MARKER / _IN_DATABASE (player records whose own names give no team of the team lists, attached on a unique match), PLAYERS_UNMATCHED (rejected), TEAMS_FROM_PLAYERS (a league with no team list), TEAM_LISTS_DISAGREE (series_stats.json won over schedules.json), PLAYER_IDS_CHANGED (players kept their rows under a new id).',
});

export const ImportWarningType = builder.objectRef<ImportWarning>('ImportWarning').implement({
  description:
    'One kind of contradiction or unreadable value in one file and league: counted, with one sample.',
  fields: (t) => ({
    code: t.field({ type: ImportWarningCodeEnum, resolve: (w) => w.code }),
    file: t.exposeString('file'),
    league: t.exposeString('league', { nullable: true }),
    count: t.exposeInt('count', { description: 'Records (or teams, or players) concerned.' }),
    sample: t.exposeString('sample', { description: 'One of them, in words.' }),
    action: t.exposeString('action', { description: 'What the import did about them.' }),
    message: t.exposeString('message'),
  }),
});
