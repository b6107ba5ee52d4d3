import { PINO_LEVEL_NAMES as LEVEL_NAMES } from '../../log-levels.ts';
import { parseTimeValue } from '../timestamp.ts';
import { asSqlState, type FormatParser, joinText } from './parser.ts';
import { plainLineEntry } from './text.ts';

type Json = Record<string, unknown>;

function levelName(level: unknown): string | null {
  if (typeof level === 'number') {
    return LEVEL_NAMES[level] ?? (level >= 50 ? 'ERROR' : level >= 40 ? 'WARN' : 'INFO');
  }
  return typeof level === 'string' ? level.toUpperCase() : null;
}

/**
 * pino JSON lines: `{"level":50,"time":…,"msg":…,"err":{"message","code",…}}`, at any level: the
 * classifier decides which levels count for which rule.
 */
export const pinoParser: FormatParser = {
  format: 'pino',
  multiline: false,
  isHead: () => true,
  parse(raw) {
    let obj: Json;
    try {
      obj = JSON.parse(raw) as Json;
    } catch {
      return plainLineEntry(raw);
    }
    const severity = levelName(obj.level);
    const err =
      (typeof obj.err === 'object' && obj.err) || (typeof obj.error === 'object' && obj.error) || {};
    const e = err as Json;
    const msg = typeof obj.msg === 'string' ? obj.msg : typeof obj.message === 'string' ? obj.message : '';
    const errMessage = typeof e.message === 'string' ? e.message : '';
    const message = !msg
      ? errMessage
      : errMessage && !msg.includes(errMessage)
        ? `${msg}: ${errMessage}`
        : msg;
    return {
      time: parseTimeValue(obj.time),
      severity,
      sqlState: asSqlState(e.code) ?? asSqlState(obj.code) ?? asSqlState(obj.sqlState),
      message,
      detail: joinText(e.detail, e.hint, e.where),
      raw,
    };
  },
};
