import type { Classifier } from './classifier.ts';
import { EntrySplitter } from './entry-splitter.ts';
import { detectFormat } from './formats/detect.ts';
import type { FormatParser } from './formats/parser.ts';
import { isGzip, readGzip, readPlain } from './reader.ts';
import type { ClassifiedEntry, FileSummary, LogProblem } from './types.ts';

export interface FileScan {
  summary: FileSummary | null;
  problems: LogProblem[];
}

function describe(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'Z_BUF_ERROR' || /unexpected end of file/i.test(e.message)) {
    return 'truncated gzip: the file ends early';
  }
  if (e.code === 'Z_DATA_ERROR') return `corrupt gzip: ${e.message}`;
  return e.code ? `${e.code}: ${e.message}` : e.message;
}

/**
 * Scans one file (plain or gzip) from start to end. Problems (unreadable, binary, truncated gzip)
 * are returned, never thrown: entries read before a gzip stream breaks still count.
 */
export async function scanFile(
  file: string,
  classifier: Classifier,
  onEntry: (entry: ClassifiedEntry) => void,
): Promise<FileScan> {
  const problems: LogProblem[] = [];
  const totals: Record<string, number> = {};
  let gzip = false;
  let bytes = 0;
  let parser: FormatParser | null = null;
  let splitter: EntrySplitter | null = null;
  let carry: Buffer = Buffer.alloc(0);
  /** Byte offset of `carry` in the (decompressed) file. */
  let at = 0;
  const count = (entry: ClassifiedEntry) => {
    totals[entry.category] = (totals[entry.category] ?? 0) + 1;
    onEntry(entry);
  };
  try {
    gzip = await isGzip(file);
    for await (const chunk of gzip ? readGzip(file) : readPlain(file)) {
      bytes += chunk.length;
      const buf = carry.length ? Buffer.concat([carry, chunk]) : chunk;
      if (!splitter) {
        if (EntrySplitter.isBinary(buf.subarray(0, 64 * 1024))) {
          problems.push({ file, reason: 'binary content, not a text log: skipped' });
          return { summary: null, problems };
        }
        parser = detectFormat(buf.subarray(0, 64 * 1024).toString('utf8'));
        splitter = new EntrySplitter(parser, classifier, file, count);
      }
      const consumed = splitter.feed(buf, 'more', at);
      at += consumed;
      carry = buf.subarray(consumed);
    }
    if (splitter && carry.length) splitter.feed(carry, 'eof', at);
  } catch (err) {
    problems.push({ file, reason: describe(err) });
  }
  const long = splitter?.describeLongLines();
  if (long) problems.push({ file, reason: long });
  if (splitter && splitter.binaryLines > 0) {
    problems.push({ file, reason: `${splitter.binaryLines} line(s) of binary content skipped` });
  }
  return { summary: { file, format: parser?.format ?? 'text', gzip, bytes, totals }, problems };
}
