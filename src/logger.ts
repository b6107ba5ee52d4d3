import pino from 'pino';

/**
 * The one logger. Level comes from LOG_LEVEL; it is read here directly rather than through
 * loadConfig so that a configuration error can itself be logged.
 */
const requested = process.env.LOG_LEVEL?.trim() || 'info';

export const logger = pino({
  // An unknown level is reported in one line by loadConfig; until then the logger runs at info.
  level: requested in pino.levels.values || requested === 'silent' ? requested : 'info',
  base: { service: 'bpetl' },
  redact: {
    paths: [
      'authorization',
      'headers.authorization',
      'req.headers.authorization',
      'token',
      'apiToken',
      '*.password',
    ],
    censor: '[redacted]',
  },
});

export type Logger = pino.Logger;
