import { parseTimeValue } from '../timestamp.ts';
import { asSqlState, type FormatParser, joinText, pgEntryMatters } from './parser.ts';

/** jsonlog (PostgreSQL 15+): one object per line with error_severity, state_code, message, detail, statement. */
export const pgJsonParser: FormatParser = {
  format: 'pg-json',
  multiline: false,
  isHead: () => true,
  parse(raw) {
    let obj: Record<string, unknown>;
    try {
      obj = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return null;
    }
    const severity = typeof obj.error_severity === 'string' ? obj.error_severity : null;
    const message = typeof obj.message === 'string' ? obj.message : '';
    if (!pgEntryMatters(severity, message)) return null;
    return {
      time: parseTimeValue(obj.timestamp),
      severity,
      sqlState: asSqlState(obj.state_code),
      message,
      detail: joinText(obj.detail, obj.hint, obj.context),
      raw,
    };
  },
};
