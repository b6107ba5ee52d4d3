import { createReadStream } from 'node:fs';
import { extname } from 'node:path';
import { createInterface } from 'node:readline';

import { parse } from 'csv-parse';

import { AppError } from '../errors.ts';
import { handleRow, type RowContext, type RowHandler } from './feed-rows.ts';
import { assertReadableFile } from './json-array.ts';
import { normaliseLeagueCode } from './leagues.ts';
import { batchesOf, readOnce } from './read-once.ts';
import { RecordCheck } from './record-check.ts';
import type { ReadOptions, Source, SourceItem } from './records.ts';
import { SourceState } from './source-state.ts';
import { teamIdentity } from './team-identity.ts';
import { truncate } from './text.ts';

export const TEAMS_FILE_COLUMNS = ['league', 'club', 'series', 'team_name'] as const;
const MAX_LINE_LENGTH = 64 * 1024;

/**
 * A canonical teams file: CSV with a header row, or NDJSON (one object per line), with the fields
 * league, club, series, team_name. The identity comes from team_name as for feeds, so a team read
 * here gets the same key as in a league feed; club names the team when team_name is empty.
 */
export async function openTeamsFile(file: string, options: ReadOptions = {}): Promise<Source> {
  const format = teamsFileFormat(file);
  if (!format) {
    throw new AppError('SOURCE_UNREADABLE', `${file}: a teams file must end in .csv, .ndjson or .jsonl`, {
      file,
    });
  }
  await assertReadableFile(file, file);
  const state = new SourceState('teams-file', file, options);
  const summary = state.file(file, true);
  return {
    kind: 'teams-file',
    path: file,
    summary: () => state.summary(),
    ...readOnce(file, () => {
      const context: RowContext = { state, file: summary, defaultLeague: null, plain: false };
      return batchesOf(format === 'csv' ? readCsv(file, context) : readNdjson(file, context));
    }),
  };
}

export function teamsFileFormat(file: string): 'csv' | 'ndjson' | null {
  const ext = extname(file).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.ndjson' || ext === '.jsonl') return 'ndjson';
  return null;
}

const teamRow: RowHandler = (value, index, context) => {
  const check = new RecordCheck(context.file.file, index, context.state.maxLength);
  const record = check.object(value, context.plain);
  if (!record) return rejected(check);
  const leagueText = check.text(record, 'league', true);
  const club = check.text(record, 'club');
  const series = check.text(record, 'series', true);
  const team = check.text(record, 'team_name');
  if (!club && !team) check.reject('team_name', 'neither team_name nor club is given', '');
  const league = leagueText ? normaliseLeagueCode(leagueText) : null;
  if (leagueText && !league) {
    check.reject('league', 'is not a known league (APTA_CHICAGO, NSTF, CNSWPL, CITA)', leagueText);
  }
  if (!check.ok || !league) return rejected(check);
  if (!context.state.inScope(league)) {
    context.file.skipped++;
    return [];
  }
  const result = teamIdentity({ league, series, team, club });
  if (!result.ok) {
    check.reject(
      result.field === 'team' ? 'team_name' : 'series',
      result.reason,
      result.field === 'team' ? team : series,
    );
    return rejected(check);
  }
  const item = context.state.newTeam(result.identity, { file: context.file.file, index });
  if (!item) context.file.duplicates++;
  return item ? [item] : [];
};

function rejected(check: RecordCheck): SourceItem[] {
  return check.rejections.map((rejection) => ({ kind: 'rejection', rejection }));
}

async function* readCsv(file: string, context: RowContext): AsyncGenerator<SourceItem> {
  const rows = createReadStream(file).pipe(
    parse({
      bom: true,
      columns: (header: string[]) => header.map((name) => name.trim().toLowerCase()),
      skip_empty_lines: true,
      relax_column_count: true,
      max_record_size: MAX_LINE_LENGTH,
    }),
  );
  let index = 0;
  try {
    for await (const row of rows as AsyncIterable<Record<string, unknown>>) {
      if (index === 0) assertColumns(file, Object.keys(row));
      yield* handleRow(teamRow, row, index++, context);
    }
  } catch (err) {
    if (err instanceof AppError) throw err;
    const csvError = err as { code?: string; lines?: number; message?: string };
    if (csvError.code?.startsWith('CSV_')) {
      throw new AppError(
        'INVALID_INPUT',
        `${file}: malformed CSV at line ${csvError.lines}: ${csvError.message}`,
        {
          file,
          position: { line: csvError.lines },
          reason: csvError.code,
        },
      );
    }
    throw new AppError(
      'SOURCE_UNREADABLE',
      `${file} cannot be read: ${csvError.message}`,
      { file },
      { cause: err },
    );
  } finally {
    rows.destroy();
  }
  if (index === 0) throw new AppError('INVALID_INPUT', `${file} has no rows`, { file });
}

function assertColumns(file: string, columns: string[]): void {
  const missing = TEAMS_FILE_COLUMNS.filter(
    (name) => name !== 'club' && name !== 'team_name' && !columns.includes(name),
  );
  if (!columns.includes('club') && !columns.includes('team_name')) missing.push('team_name');
  if (missing.length > 0) {
    throw new AppError(
      'INVALID_INPUT',
      `${file}: the header lacks ${missing.join(', ')} (expected ${TEAMS_FILE_COLUMNS.join(', ')})`,
      { file, position: { line: 1 }, missing },
    );
  }
}

async function* readNdjson(file: string, context: RowContext): AsyncGenerator<SourceItem> {
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  let index = -1;
  let rows = 0;
  try {
    for await (const line of lines) {
      index++;
      if (line.trim() === '') continue;
      rows++;
      yield* handleRow(ndjsonRow, line, index, context);
    }
  } finally {
    lines.close();
  }
  if (rows === 0) throw new AppError('INVALID_INPUT', `${file} has no records`, { file });
}

/** A malformed line is one bad record, not a bad file: the other lines stand on their own. */
const ndjsonRow: RowHandler = (line, index, context) => {
  const text = line as string;
  const reject = (reason: string): SourceItem[] => [
    {
      kind: 'rejection',
      rejection: { file: context.file.file, index, field: '', reason, value: truncate(text) },
    },
  ];
  if (text.length > MAX_LINE_LENGTH) return reject(`line is longer than ${MAX_LINE_LENGTH} characters`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return reject(`malformed JSON: ${(err as Error).message}`);
  }
  return teamRow(value, index, context);
};
