import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { createClassifier } from '../../src/logs/classifier.ts';
import { EntrySplitter, type FeedMode, MAX_PENDING } from '../../src/logs/entry-splitter.ts';
import type { FormatParser } from '../../src/logs/formats/parser.ts';
import { pinoParser } from '../../src/logs/formats/pino.ts';
import { pgStderrParser } from '../../src/logs/formats/postgres-stderr.ts';
import { textParser } from '../../src/logs/formats/text.ts';
import type { ClassifiedEntry } from '../../src/logs/types.ts';
import { useScanText } from './scan-text.ts';

const classifier = createClassifier();
const scanText = useScanText();

function splitter(parser: FormatParser, out: ClassifiedEntry[]): EntrySplitter {
  return new EntrySplitter(parser, classifier, 'x.log', (e) => out.push(e));
}

/** What the scanner does: feed each chunk with what the last feed left, then the rest at the end. */
function scanInChunks(parser: FormatParser, text: string, cuts: number[]): ClassifiedEntry[] {
  const out: ClassifiedEntry[] = [];
  const s = splitter(parser, out);
  const bytes = Buffer.from(text);
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  let carry = Buffer.alloc(0);
  let from = 0;
  let at = 0;
  for (const point of [...points, bytes.length]) {
    const buf = Buffer.concat([carry, bytes.subarray(from, point)]);
    from = point;
    const consumed = s.feed(buf, 'more', at);
    at += consumed;
    carry = buf.subarray(consumed);
  }
  if (carry.length) s.feed(carry, 'eof', at);
  return out;
}

const whole = (parser: FormatParser, text: string, mode: FeedMode = 'eof') => {
  const out: ClassifiedEntry[] = [];
  const consumed = splitter(parser, out).feed(Buffer.from(text), mode);
  return { out, consumed };
};

const stamp = '2025-08-06 10:00:00.000 UTC [7]';
const STDERR_LINES = [
  `${stamp} ERROR:  deadlock detected`,
  `${stamp} ERROR:  duplicate key value violates unique constraint "teams_pkey"`,
  `${stamp} DETAIL:  Key (id)=(4) already exists.`,
  `${stamp} STATEMENT:  insert into teams values (4) -- could not connect`,
  '\tvalues (5) -- deadlock',
  `${stamp} LOG:  checkpoint starting`,
  `${stamp} LOG:  connection reset by peer`,
  `${stamp} HINT:  the transaction was aborted`,
];
const TEXT_LINES = [
  '2025-08-06 10:00:00,123 [ERROR] etl.sync: could not update team 12',
  'Traceback (most recent call last):',
  '  File "sync.py", line 88, in upsert_team',
  'psycopg2.errors.DeadlockDetected: deadlock detected',
  '2025-08-06 10:00:01,000 [INFO] all fine',
  '2025-08-06 10:00:02,000 [WARNING] orphan poll 3 found',
  '[06:00:12] ✅ No orphaned records detected',
  '🔍 checking orphans: 3 orphaned polls',
  '',
];

describe('EntrySplitter', () => {
  it('finds the same entries however the bytes arrive in chunks (PostgreSQL stderr)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...STDERR_LINES), { minLength: 1, maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 5 }),
        fc.boolean(),
        (lines, cuts, newlineAtEnd) => {
          const text = lines.join('\n') + (newlineAtEnd ? '\n' : '');
          const expected = whole(pgStderrParser, text).out;
          expect(scanInChunks(pgStderrParser, text, cuts)).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('finds the same entries however the bytes arrive in chunks (stamped text with tracebacks)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...TEXT_LINES), { minLength: 1, maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 5 }),
        (lines, cuts) => {
          const text = `${lines.join('\n')}\n`;
          expect(scanInChunks(textParser(true), text, cuts)).toEqual(whole(textParser(true), text).out);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('gathers continuation lines into their entry, and not the next head', () => {
    const text = [
      STDERR_LINES[5],
      STDERR_LINES[1],
      STDERR_LINES[2],
      STDERR_LINES[3],
      STDERR_LINES[4],
      STDERR_LINES[0],
      STDERR_LINES[2],
    ].join('\n');
    const { out, consumed } = whole(pgStderrParser, `${text}\n`);
    expect(consumed).toBe(Buffer.byteLength(text) + 1);
    expect(out.map((e) => [e.category, e.raw])).toEqual([
      [
        'CONSTRAINT_VIOLATION',
        [STDERR_LINES[1], STDERR_LINES[2], STDERR_LINES[3], STDERR_LINES[4]].join('\n'),
      ],
      ['DEADLOCK', [STDERR_LINES[0], STDERR_LINES[2]].join('\n')],
    ]);
    expect(out[0]).toMatchObject({ file: 'x.log', fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/) });
  });

  it('finds an entry by a match in its continuation line, and reads it from its head', () => {
    const text = [
      STDERR_LINES[5],
      `${stamp} ERROR:  insert failed`,
      `${stamp} DETAIL:  deadlock detected`,
    ].join('\n');
    const { out } = whole(pgStderrParser, text);
    expect(out.map((e) => e.raw)).toEqual([
      [`${stamp} ERROR:  insert failed`, `${stamp} DETAIL:  deadlock detected`].join('\n'),
    ]);
  });

  it('keeps the last entry back while more bytes may extend it; takes every line in lines mode', () => {
    const text = `${STDERR_LINES[0]}\n${STDERR_LINES[2]}\n`;
    expect(whole(pgStderrParser, text, 'more')).toEqual({ out: [], consumed: 0 });
    const lines = whole(pgStderrParser, text, 'lines');
    expect(lines.consumed).toBe(Buffer.byteLength(text));
    expect(lines.out.map((e) => e.raw)).toEqual([`${STDERR_LINES[0]}\n${STDERR_LINES[2]}`]);
    // A head after it shows the first entry complete.
    const two = `${STDERR_LINES[0]}\n${STDERR_LINES[2]}\n${STDERR_LINES[1]}\n`;
    const more = whole(pgStderrParser, two, 'more');
    expect(more.consumed).toBe(Buffer.byteLength(`${STDERR_LINES[0]}\n${STDERR_LINES[2]}\n`));
    expect(more.out.map((e) => e.category)).toEqual(['DEADLOCK']);
  });

  it('takes complete lines only of a one-line format, and all of it at the end', () => {
    const line = '{"level":50,"msg":"deadlock detected"}';
    expect(whole(pinoParser, `${line}\n${line}`, 'more')).toMatchObject({ consumed: line.length + 1 });
    expect(whole(pinoParser, `${line}\n${line}`, 'more').out).toHaveLength(1);
    expect(whole(pinoParser, `${line}\n${line}`, 'eof').out).toHaveLength(2);
    expect(whole(pinoParser, line, 'more')).toEqual({ out: [], consumed: 0 });
  });

  it('drops carriage returns of CRLF lines', () => {
    const { out } = whole(pgStderrParser, `${STDERR_LINES[0]}\r\n${STDERR_LINES[2]}\r\n`);
    expect(out.map((e) => e.raw)).toEqual([`${STDERR_LINES[0]}\n${STDERR_LINES[2]}`]);
    expect(out[0]!.message).toBe('deadlock detected');
  });

  it('decodes UTF-8 in an entry while offsets stay bytes', () => {
    const head = `${stamp} ERROR:  deadlock detected for Café Ü`;
    const text = `${head}\n${STDERR_LINES[1]}\n`;
    const { out, consumed } = whole(pgStderrParser, text);
    expect(consumed).toBe(Buffer.byteLength(text));
    expect(out.map((e) => e.raw)).toEqual([head, STDERR_LINES[1]]);
  });

  it('skips a garbage line and counts it once, keeping the readable lines of its entry', () => {
    // Tab-indented: a continuation line of the entry above it.
    const garbage = `\t\u0001\u0002 deadlock \u0003`;
    const text = [STDERR_LINES[1], garbage, STDERR_LINES[2], garbage, STDERR_LINES[0]].join('\n');
    const out: ClassifiedEntry[] = [];
    const s = splitter(pgStderrParser, out);
    s.feed(Buffer.from(text), 'eof');
    expect(out.map((e) => e.raw)).toEqual([`${STDERR_LINES[1]}\n${STDERR_LINES[2]}`, STDERR_LINES[0]]);
    expect(s.binaryLines).toBe(2);
    // A garbage line that heads an entry takes the entry with it.
    const alone: ClassifiedEntry[] = [];
    splitter(pinoParser, alone).feed(Buffer.from(`\u0001{"level":50,"msg":"deadlock detected"}\n`), 'eof');
    expect(alone).toEqual([]);
  });

  it('tells binary data from text by its share of control bytes', () => {
    const withControls = (n: number) => Buffer.from('\u0001'.repeat(n) + 'a'.repeat(100 - n), 'latin1');
    expect(EntrySplitter.isBinary(withControls(3))).toBe(false);
    expect(EntrySplitter.isBinary(withControls(4))).toBe(true);
    expect(EntrySplitter.isBinary(Buffer.from('plain text\twith tabs\r\n\u001b[31mcolour\u001b[0m\f'))).toBe(
      false,
    );
    expect(EntrySplitter.isBinary(Buffer.alloc(0))).toBe(false);
  });

  it('cuts a line past the bound, classifies its head, skips its rest and reads on after it', () => {
    const out: ClassifiedEntry[] = [];
    const s = splitter(pinoParser, out);
    const head = Buffer.from(`{"level":50,"msg":"deadlock detected ${'x'.repeat(MAX_PENDING)}`);
    expect(s.feed(head, 'more', 100)).toBe(head.length);
    expect(s.inCutLine).toBe(true);
    expect(s.longLines).toBe(1);
    expect(s.longLineOffsets).toEqual([100]);
    // The head is not JSON on its own: it is read as text, and still classified.
    expect(out.map((e) => e.category)).toEqual(['DEADLOCK']);
    const rest = Buffer.from('xxxx"}\n{"level":50,"msg":"duplicate key value"}\n');
    expect(s.feed(Buffer.from('xxxxxxxx'), 'more')).toBe(8);
    expect(s.feed(rest, 'more')).toBe(rest.length);
    expect(s.inCutLine).toBe(false);
    expect(out.map((e) => e.category)).toEqual(['DEADLOCK', 'CONSTRAINT_VIOLATION']);
    s.restart(true);
    expect(s.inCutLine).toBe(true);
    s.restart();
    expect(s.inCutLine).toBe(false);
  });

  it('describes the lines it cut: how many, where, and how many more than it kept', () => {
    const s = splitter(pinoParser, []);
    expect(s.describeLongLines()).toBeNull();
    const long = Buffer.alloc(MAX_PENDING, 'x');
    for (let i = 0; i < 12; i++) {
      s.feed(long, 'more', i * 1000);
      s.feed(Buffer.from('\n'), 'more');
    }
    expect(s.longLines).toBe(12);
    expect(s.longLineOffsets).toHaveLength(10);
    const offsets = Array.from({ length: 10 }, (_, i) => i * 1000).join(', ');
    expect(s.describeLongLines()).toBe(
      `12 line(s) at byte ${offsets} and 2 more longer than 8 MB: each classified on its first 8 MB, the rest of the line skipped`,
    );
    expect(s.describeLongLines(9)).toBe(
      '3 line(s) at byte 9000 and 2 more longer than 8 MB: each classified on its first 8 MB, the rest of the line skipped',
    );
    expect(s.describeLongLines(11)).toBe(
      '1 line(s) longer than 8 MB: each classified on its first 8 MB, the rest of the line skipped',
    );
    expect(s.describeLongLines(12)).toBeNull();
  });

  it('reads a text that starts with an empty line and has no head before its match (it looped for ever)', () => {
    const text =
      '\nTraceback (most recent call last):\npsycopg2.errors.DeadlockDetected: deadlock detected\n';
    // More may follow: nothing is complete yet.
    expect(whole(textParser(true), text, 'more')).toEqual({ out: [], consumed: 0 });
    // A head after it completes the entry, which starts at the empty line.
    const headed = `${text}2025-08-06 10:00:00,000 [INFO] done\n`;
    const { out, consumed } = whole(textParser(true), headed, 'more');
    expect(consumed).toBe(text.length);
    expect(out.map((e) => [e.category, e.raw])).toEqual([['DEADLOCK', text.slice(0, -1)]]);
    expect(whole(textParser(true), text, 'eof').out.map((e) => e.category)).toEqual(['DEADLOCK']);
  });

  it('scans a log file that starts with an empty line', async () => {
    const text =
      '\nTraceback (most recent call last):\npsycopg2.errors.DeadlockDetected: deadlock detected\n';
    expect(await scanText(`${text}2025-08-06 10:00:00,000 [ERROR] orphan poll 3 found\n`)).toEqual({
      DEADLOCK: 1,
      ORPHAN_INDICATOR: 1,
    });
  });

  it('gives up waiting for a head once the pending text passes the bound', () => {
    // Unstamped text in stamped mode: no line is a head, so nothing would ever complete an entry.
    const line = `orphan poll found ${'y'.repeat(1000)}\n`;
    const text = line.repeat(Math.ceil((MAX_PENDING + 1) / line.length));
    const { consumed } = whole(textParser(true), text, 'more');
    expect(consumed).toBe(Buffer.byteLength(text));
    expect(whole(textParser(true), line.repeat(3), 'more').consumed).toBe(0);
  });
});
