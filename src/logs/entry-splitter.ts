import { type Classifier, CONTROL_BYTES } from './classifier.ts';
import { fingerprint } from './fingerprint.ts';
import type { FormatParser } from './formats/parser.ts';
import type { ClassifiedEntry } from './types.ts';

const BINARY = new RegExp(CONTROL_BYTES);
const BINARY_ALL = new RegExp(CONTROL_BYTES, 'g');
/** Random bytes are ~10 % control bytes; text has none. A start with this many is not a log at all. */
const BINARY_FILE_RATIO = 0.03;
/**
 * How much text may wait for the rest of its entry. Past it the entry is cut, so a file without a
 * single head line cannot make the scanner hold the whole file in memory. A single line past it is
 * classified on its first MAX_PENDING bytes and the rest of it is skipped as it is read, never held.
 */
export const MAX_PENDING = 8 * 1024 * 1024;
/** Long lines whose offsets are kept for the report; past that they are only counted. */
const LONG_LINES_KEPT = 10;

/** `more`: more bytes will follow; `lines`: take every complete line; `eof`: take everything. */
export type FeedMode = 'more' | 'lines' | 'eof';

/**
 * Finds and classifies entries in a byte buffer. The buffer is viewed as latin1, where string index
 * equals byte offset, so offsets stay exact for the follower and only matched entries are decoded as
 * UTF-8. One combined regex runs over the whole buffer; only its matches are parsed.
 */
export class EntrySplitter {
  binaryLines = 0;
  /** Lines longer than MAX_PENDING seen so far. */
  longLines = 0;
  /** Byte offsets where the first LONG_LINES_KEPT of them start. */
  readonly longLineOffsets: number[] = [];
  /** Inside a line cut at MAX_PENDING: bytes are dropped until its newline. */
  private skipping = false;

  constructor(
    private readonly parser: FormatParser,
    private readonly classifier: Classifier,
    private readonly file: string,
    private readonly onEntry: (entry: ClassifiedEntry) => void,
  ) {}

  /**
   * Processes whole entries at the start of `buf` and returns how many bytes they took. `at` is the
   * byte offset of `buf` in the file, for the report of a line cut at MAX_PENDING.
   */
  feed(buf: Buffer, mode: FeedMode, at = 0): number {
    if (this.skipping) {
      // The rest of a cut line: looked at for its end only, and dropped.
      const newline = buf.indexOf(0x0a);
      if (newline < 0) return buf.length;
      this.skipping = false;
      return newline + 1 + this.feed(buf.subarray(newline + 1), mode, at + newline + 1);
    }
    const text = buf.toString('latin1');
    if (mode !== 'eof' && buf.length >= MAX_PENDING && buf.indexOf(0x0a) < 0) {
      // One line as long as the bound and not ended: its head is classified, the rest skipped.
      this.longLines++;
      if (this.longLineOffsets.length < LONG_LINES_KEPT) this.longLineOffsets.push(at);
      this.entries(buf, text, MAX_PENDING);
      this.skipping = true;
      return buf.length;
    }
    const limit = this.limit(text, mode);
    if (limit === 0) return 0;
    this.entries(buf, text, limit);
    return limit;
  }

  /** Whether the next byte fed is inside a cut line (the follower saves it with its offsets). */
  get inCutLine(): boolean {
    return this.skipping;
  }

  /** Reading goes on elsewhere: from a file's start after a truncation, or from a saved offset. */
  restart(inCutLine = false): void {
    this.skipping = inCutLine;
  }

  /** What the lines cut since `reported` lines ago were, for a LogProblem. */
  describeLongLines(reported = 0): string | null {
    const count = this.longLines - reported;
    if (count <= 0) return null;
    const offsets = this.longLineOffsets.slice(reported);
    const where = offsets.length > 0 ? ` at byte ${offsets.join(', ')}` : '';
    const more = count > offsets.length && offsets.length > 0 ? ` and ${count - offsets.length} more` : '';
    return (
      `${count} line(s)${where}${more} longer than ${MAX_PENDING / 1024 / 1024} MB: ` +
      'each classified on its first 8 MB, the rest of the line skipped'
    );
  }

  private entries(buf: Buffer, text: string, limit: number): void {
    let done = 0;
    for (const at of this.candidates(text, limit)) {
      if (at < done) continue;
      const lineStart = text.lastIndexOf('\n', at - 1) + 1;
      const start = this.parser.multiline ? this.headBefore(text, lineStart, done) : lineStart;
      const end = this.entryEnd(text, at, limit);
      this.handle(buf, text, start, end);
      done = Math.max(end, at + 1);
    }
  }

  /** Whether `buf` looks like binary data rather than text. */
  static isBinary(buf: Buffer): boolean {
    const text = buf.toString('latin1');
    return (text.match(BINARY_ALL)?.length ?? 0) > text.length * BINARY_FILE_RATIO;
  }

  /**
   * Offsets below `limit` where a prefilter matches, ascending. A control byte (the prefilters match
   * those too) marks a garbage line: counted once, and its other matches skipped.
   */
  private candidates(text: string, limit: number): number[] {
    const found: number[] = [];
    let lower: string | null = null;
    for (const { re, lowercase } of this.classifier.prefilters) {
      // Lower-casing a latin1 string keeps its length, so offsets stay byte offsets.
      const haystack = lowercase ? (lower ??= text.toLowerCase()) : text;
      re.lastIndex = 0;
      let m: RegExpExecArray | null;
      while ((m = re.exec(haystack)) !== null && m.index < limit) {
        found.push(m.index);
        if (m[0].length === 1 && BINARY.test(m[0])) {
          this.binaryLines++;
          const next = haystack.indexOf('\n', m.index);
          re.lastIndex = next < 0 ? haystack.length : next + 1;
        } else if (m[0] === '') {
          re.lastIndex++;
        }
      }
    }
    return this.classifier.prefilters.length > 1 ? found.sort((a, b) => a - b) : found;
  }

  private limit(text: string, mode: FeedMode): number {
    if (mode === 'eof') return text.length;
    const complete = text.lastIndexOf('\n') + 1;
    if (mode === 'lines' || !this.parser.multiline) return complete;
    // The last entry may still gain continuation lines: keep it for the next feed.
    let lineStart = complete;
    let lastHead = 0;
    while (lineStart > 0) {
      const prev = lineBefore(text, lineStart);
      if (this.parser.isHead(text.slice(prev, lineStart - 1))) {
        lastHead = prev;
        break;
      }
      lineStart = prev;
    }
    return lastHead === 0 && text.length > MAX_PENDING ? complete : lastHead;
  }

  private headBefore(text: string, lineStart: number, floor: number): number {
    let start = lineStart;
    while (start > floor) {
      const end = text.indexOf('\n', start);
      if (this.parser.isHead(text.slice(start, end < 0 ? text.length : end))) return start;
      start = lineBefore(text, start);
    }
    return Math.max(start, floor);
  }

  private entryEnd(text: string, from: number, limit: number): number {
    let next = text.indexOf('\n', from) + 1;
    if (next === 0 || next > limit) return limit;
    if (!this.parser.multiline) return next;
    while (next < limit) {
      const end = text.indexOf('\n', next);
      const lineEnd = end < 0 || end > limit ? limit : end;
      if (this.parser.isHead(text.slice(next, lineEnd))) return next;
      next = lineEnd + 1;
    }
    return limit;
  }

  private handle(buf: Buffer, text: string, start: number, end: number): void {
    let raw = buf.toString('utf8', start, end).replace(/\r?\n$/, '');
    if (BINARY.test(text.slice(start, end))) {
      // Garbage lines are dropped (and counted in binaryLines); the entry keeps its readable lines.
      const lines = raw.split('\n');
      if (BINARY.test(lines[0]!)) return;
      raw = lines.filter((line) => !BINARY.test(line)).join('\n');
    }
    const entry = this.parser.parse(raw.replace(/\r\n/g, '\n'));
    if (!entry) return;
    const category = this.classifier.classify(entry);
    if (!category) return;
    this.onEntry({ ...entry, category, fingerprint: fingerprint(category, entry.message), file: this.file });
  }
}

/**
 * Where the line that ends just before `lineStart` (a line start above 0) begins. The line before
 * the one at 1 is the empty line at 0: `lastIndexOf('\n', -1)` would find that newline itself and
 * answer 1 again, so a text starting with an empty line made the callers loop for ever.
 */
function lineBefore(text: string, lineStart: number): number {
  return lineStart < 2 ? 0 : text.lastIndexOf('\n', lineStart - 2) + 1;
}
