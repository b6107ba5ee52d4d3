import pino from 'pino';

/**
 * The one logger. Level comes from LOG_LEVEL; it is read here directly rather than through
 * loadConfig so that a configuration error can itself be logged.
 */
export const logger = pino({
  level: process.env.LOG_LEVEL?.trim() || 'info',
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
