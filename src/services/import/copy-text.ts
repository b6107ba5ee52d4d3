/** A value as COPY's text format writes it. */
export type CopyValue = string | number | boolean | null;

// Backslash first, so the escapes added after it are not escaped again.
const SPECIALS = /[\\\t\n\r]/g;
// Tested before replacing: a test is about three times cheaper than a replace that finds nothing,
// and nearly no value holds one.
const HAS_SPECIAL = /[\\\t\n\r]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** One line of COPY … FROM STDIN (text format): tab-separated, `\N` for NULL, specials escaped. */
export function copyLine(values: readonly CopyValue[]): string {
  let line = '';
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (i > 0) line += '\t';
    if (value === null) line += '\\N';
    else if (typeof value === 'string') {
      line += HAS_SPECIAL.test(value) ? value.replace(SPECIALS, (c) => ESCAPES[c]!) : value;
    } else line += String(value);
  }
  return line + '\n';
}
