/**
 * What a log line may carry about people and their data, masked for readers of the API: e-mail
 * addresses, SQL string literals ('…', E'…', with '' and \' escapes), dollar-quoted bodies
 * ($$…$$, $tag$…$tag$) and the values of a key violation's DETAIL (`Key (email)=(…)`). Identifiers
 * ("teams"), numbers and the message's words stay, so a masked sample still says what went wrong.
 */
const EMAIL = /[\w.!#$%&*+/=?^`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+/g;
const DOLLAR_QUOTED = /\$([A-Za-z_]\w*)?\$[\s\S]*?\$\1\$/g;
const STRING_LITERAL = /\b[Ee]'(?:[^'\\]|\\.|'')*'|'(?:[^']|'')*'/g;
/** `Key (a, b)=(x, y)` and `Key (a)=(x) is not present`: PostgreSQL spells the row's values out. */
const KEY_VALUES = /(\bKey \([^)]*\)=\()((?:[^()]|\([^()]*\))*)\)/g;

export const MASKED = '?';

export function maskSample(text: string): string {
  return text
    .replace(DOLLAR_QUOTED, `$$$$${MASKED}$$$$`)
    .replace(STRING_LITERAL, `'${MASKED}'`)
    .replace(EMAIL, '<email>')
    .replace(KEY_VALUES, `$1${MASKED})`);
}
