/** pino's numeric levels by name, as its JSON lines write them (for the pretty output and the log reader). */
export const PINO_LEVEL_NAMES: Readonly<Record<number, string>> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};
