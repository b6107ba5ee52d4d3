import { type Config, loadConfig } from '../config.ts';
import { AppError } from '../errors.ts';
import { logger } from '../logger.ts';
import { EXIT_INTERRUPTED, installInterruptHandling, onInterrupt, wasInterrupted } from './interrupt.ts';

/** Exit status for a failure the user can act on (bad input, unreachable database, …). */
export const EXIT_FAILURE = 1;

/**
 * Runs a command body with the configuration loaded, turning known failures into one clear line
 * on stderr (`error CODE: message`) and a non-zero exit status instead of a stack trace.
 */
export async function runCommand(body: (config: Config) => Promise<number | void>): Promise<void> {
  try {
    const status = await body(loadConfig());
    process.exitCode = wasInterrupted() ? EXIT_INTERRUPTED : (status ?? 0);
  } catch (err) {
    if (wasInterrupted()) {
      // Reported as interrupted already; what failed after it (the cluster stopping under the
      // command's queries) is its consequence, not news.
      process.exitCode = EXIT_INTERRUPTED;
      return;
    }
    if (err instanceof AppError) {
      process.stderr.write(`error ${err.code}: ${err.message}\n`);
    } else {
      logger.error({ err }, 'command failed');
      process.stderr.write(`error INTERNAL: ${(err as Error)?.message ?? String(err)}\n`);
    }
    process.exitCode = EXIT_FAILURE;
  }
}

/**
 * Resolves on the first SIGINT or SIGTERM from now on (the command stops cleanly); a later one,
 * while it stops, is the default interrupt (see interrupt.ts).
 */
export function waitForShutdownSignal(): Promise<NodeJS.Signals> {
  installInterruptHandling();
  return new Promise((resolve) => {
    const off = onInterrupt((signal) => {
      off();
      resolve(signal);
    });
  });
}
