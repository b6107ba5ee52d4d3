import { extname } from 'node:path';
import { Readable } from 'node:stream';

import { parse } from 'csv-parse';

import { AppError } from '../errors.ts';
import { checkFeedFile, readChunks } from './feed-file.ts';
import { handleRow, rejected, type RowContext, type RowHandler } from './feed-rows.ts';
import { normaliseLeagueCode } from './leagues.ts';
import { batchesOf, readOnce } from './read-once.ts';
import { RecordCheck } from './record-check.ts';
import type { ReadOptions, Source, SourceItem } from './records.ts';
import { SourceState } from './source-state.ts';
import { teamIdentity } from './team-identity.ts';
import { truncate } from './text.ts';
import { firstInvalidByte } from './utf8.ts';

export const TEAMS_FILE_COLUMNS = ['league', 'club', 'series', 'team_name'] as const;
/** Longest line (NDJSON) or record (CSV), in bytes: a teams record is under a hundred. */
const MAX_LINE_LENGTH = 64 * 1024;
const CHUNK_SIZE = 1 << 16;

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
  const label = options.label ?? file;
  await checkFeedFile(file, label, options.root);
  const state = new SourceState('teams-file', label, options);
  const summary = state.file(label, true);
  return {
    kind: 'teams-file',
    path: file,
    summary: () => state.summary(),
    ...readOnce(file, () => {
      const context: RowContext = { state, file: summary, defaultLeague: null, plain: false };
      return batchesOf(format === 'csv' ? readCsv(file, label, context) : readNdjson(file, label, context));
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

/** The file's CSV records. Fields come as bytes (encoding null), so bytes that are not UTF-8 are seen, not replaced. */
function csvRecords(file: string) {
  return Readable.from(withoutBom(readChunks(file, CHUNK_SIZE))).pipe(
    parse({
      // null (documented, missing from the types) returns buffers instead of strings.
      encoding: null as unknown as undefined,
      info: true,
      skip_empty_lines: true,
      relax_column_count: true,
      max_record_size: MAX_LINE_LENGTH,
    }),
  );
}

async function* readCsv(file: string, label: string, context: RowContext): AsyncGenerator<SourceItem> {
  const rows = csvRecords(file);
  let columns: string[] | null = null;
  let index = 0;
  // Byte offset where the record at hand starts: where the one before it ended.
  let offset = 0;
  try {
    for await (const { record, info } of rows as AsyncIterable<{
      record: Buffer[];
      info: { bytes: number };
    }>) {
      const start = offset;
      offset = info.bytes;
      if (!columns) {
        columns = record.map((cell) => cell.toString('utf8').trim().toLowerCase());
        assertColumns(label, columns);
        continue;
      }
      const bad = record.findIndex((cell) => firstInvalidByte(cell) >= 0);
      if (bad >= 0) {
        yield* handleRow(
          notUtf8Row(columns[bad] ?? `column ${bad + 1}`, record[bad]!, start),
          null,
          index++,
          context,
        );
        continue;
      }
      const row: Record<string, unknown> = {};
      columns.forEach((name, i) => {
        if (record[i] !== undefined) row[name] = record[i].toString('utf8');
      });
      yield* handleRow(teamRow, row, index++, context);
    }
  } catch (err) {
    throw csvFailure(err, label);
  } finally {
    rows.destroy();
  }
  if (!columns) throw new AppError('INVALID_INPUT', `${label} has no rows`, { file: label });
  if (index === 0) throw new AppError('INVALID_INPUT', `${label} has no rows`, { file: label });
}

/** What a failed CSV read throws: malformed CSV with its line, or an unreadable file. */
function csvFailure(err: unknown, label: string): unknown {
  if (err instanceof AppError) return err;
  const csvError = err as { code?: string; lines?: number; bytes?: number; message?: string };
  if (csvError.code?.startsWith('CSV_')) {
    const at = csvError.bytes === undefined ? '' : ` (byte ${csvError.bytes})`;
    return new AppError(
      'INVALID_INPUT',
      `${label}: malformed CSV at line ${csvError.lines}${at}: ${csvError.message}`,
      {
        file: label,
        position: { line: csvError.lines, offset: csvError.bytes },
        reason: csvError.code,
      },
    );
  }
  return new AppError(
    'SOURCE_UNREADABLE',
    `${label} cannot be read: ${csvError.message}`,
    { file: label },
    { cause: err },
  );
}

/** csv-parse's own BOM handling switches it to decoding text, which would hide bytes that are not UTF-8. */
async function* withoutBom(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let first = true;
  for await (const chunk of chunks) {
    const bom = first && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf;
    first = false;
    yield bom ? chunk.subarray(3) : chunk;
  }
}

/** A record whose `field` holds bytes that are not UTF-8, starting at `offset` in the file. */
function notUtf8Row(field: string, cell: Buffer, recordOffset: number): RowHandler {
  return (_value, index, context) => [
    {
      kind: 'rejection',
      rejection: {
        file: context.file.file,
        index,
        field,
        reason: `holds bytes that are not UTF-8 (the record starts at byte ${recordOffset})`,
        value: truncate(cell.toString('latin1')),
        offset: recordOffset,
      },
    },
  ];
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

async function* readNdjson(file: string, label: string, context: RowContext): AsyncGenerator<SourceItem> {
  let rows = 0;
  for await (const line of lines(file, label)) {
    if (line.bytes.every(isSpaceByte)) continue;
    rows++;
    const bad = firstInvalidByte(line.bytes);
    const value = bad >= 0 ? { notUtf8: line.offset + bad, bytes: line.bytes } : line.bytes.toString('utf8');
    yield* handleRow(ndjsonRow, value, line.index, context);
  }
  if (rows === 0) throw new AppError('INVALID_INPUT', `${label} has no records`, { file: label });
}

/**
 * The file's lines (without their line break), each with its index and byte offset. A line is held
 * only up to MAX_LINE_LENGTH: a file that runs past it without a line break is not NDJSON, and
 * reading on would hold all of it (a 2 GB line, or a stream that never ends one).
 */
async function* lines(
  file: string,
  label: string,
): AsyncGenerator<{ bytes: Buffer; index: number; offset: number }> {
  let carry: Buffer = Buffer.alloc(0);
  let offset = 0;
  let index = 0;
  for await (const chunk of readChunks(file, CHUNK_SIZE)) {
    const buf = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    let start = 0;
    for (let end = buf.indexOf(0x0a); end !== -1; end = buf.indexOf(0x0a, start)) {
      yield { bytes: withoutCr(buf.subarray(start, end)), index: index++, offset };
      offset += end + 1 - start;
      start = end + 1;
    }
    if (buf.length - start > MAX_LINE_LENGTH) {
      throw new AppError(
        'INVALID_INPUT',
        `${label}: line ${index + 1} (from byte ${offset}) runs past ${MAX_LINE_LENGTH} bytes without a line break; NDJSON holds one short record per line`,
        { file: label, position: { line: index + 1, offset } },
      );
    }
    // A copy: the rest must not keep the whole chunk alive.
    carry = Buffer.from(buf.subarray(start));
  }
  if (carry.length > 0) yield { bytes: withoutCr(carry), index, offset };
}

function withoutCr(bytes: Buffer): Buffer {
  return bytes.length > 0 && bytes[bytes.length - 1] === 0x0d ? bytes.subarray(0, -1) : bytes;
}

function isSpaceByte(byte: number): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0d;
}

/** A malformed line is one bad record, not a bad file: the other lines stand on their own. */
const ndjsonRow: RowHandler = (line, index, context) => {
  const reject = (reason: string, value: string, offset?: number): SourceItem[] => [
    {
      kind: 'rejection',
      rejection: { file: context.file.file, index, field: '', reason, value: truncate(value), offset },
    },
  ];
  if (typeof line !== 'string') {
    const bad = line as { notUtf8: number; bytes: Buffer };
    return reject(
      `line holds bytes that are not UTF-8 (first at byte ${bad.notUtf8})`,
      bad.bytes.toString('latin1'),
      bad.notUtf8,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    return reject(`malformed JSON: ${(err as Error).message}`, line);
  }
  return teamRow(value, index, context);
};
