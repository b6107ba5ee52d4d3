const STAMP =
  /(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)(?:[.,](\d{1,9}))?(?: ?(Z|UTC|GMT|[+-]\d\d(?::?\d\d)?)\b)?/;

/**
 * The first `YYYY-MM-DD hh:mm:ss[.fff][ zone]` in `text`, as epoch milliseconds. A numeric offset, Z,
 * UTC or GMT is honoured; a missing or named zone (CEST, PST…) is read as UTC because abbreviations
 * are ambiguous, which shifts per-day buckets by at most the zone's offset.
 */
export function parseTimestamp(text: string): number | null {
  const m = STAMP.exec(text);
  if (!m) return null;
  const millis = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  let t = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, millis);
  const zone = m[8];
  if (zone && (zone[0] === '+' || zone[0] === '-')) {
    const digits = zone.slice(1).replace(':', '');
    const offset = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || 0);
    t -= (zone[0] === '+' ? 1 : -1) * offset * 60_000;
  }
  return Number.isNaN(t) ? null : t;
}

/** A pino `time` (epoch ms) or any string timestamp. */
export function parseTimeValue(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string') {
    const parsed = parseTimestamp(value);
    if (parsed !== null) return parsed;
    const iso = Date.parse(value);
    return Number.isNaN(iso) ? null : iso;
  }
  return null;
}
