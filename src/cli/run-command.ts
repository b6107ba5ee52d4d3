import { type Config, loadConfig } from '../config.ts';
import { AppError } from '../errors.ts';
import { logger } from '../logger.ts';

/** Exit status for a failure the user can act on (bad input, unreachable database, …). */
export const EXIT_FAILURE = 1;

/**
 * Runs a command body with the configuration loaded, turning known failures into one clear line
 * on stderr (`error CODE: message`) and a non-zero exit status instead of a stack trace.
 */
export async function runCommand(body: (config: Config) => Promise<number | void>): Promise<void> {
  try {
    const status = await body(loadConfig());
    process.exitCode = status ?? 0;
  } catch (err) {
    if (err instanceof AppError) {
      process.stderr.write(`error ${err.code}: ${err.message}\n`);
    } else {
      logger.error({ err }, 'command failed');
      process.stderr.write(`error INTERNAL: ${(err as Error)?.message ?? String(err)}\n`);
    }
    process.exitCode = EXIT_FAILURE;
  }
}

/** Resolves on the first SIGINT or SIGTERM. */
export function waitForShutdownSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const handler = (signal: NodeJS.Signals) => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
      resolve(signal);
    };
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
  });
}
