/**
 * Ctrl-C (SIGINT) and SIGTERM for the whole life of a bpetl process, installed first thing in
 * main.ts: Node's default, dying of the signal (a shell sees 130 or 143), never applies, whether a
 * signal comes while the command starts the embedded cluster, runs, or stops the cluster again.
 *
 * A command that handles the signal itself registers with `onInterrupt` and ends as it says
 * (`import` cancels its run and exits 1 with error CANCELLED; serve, watch and logs --watch stop
 * cleanly with 0). Any other command is interrupted: `error CANCELLED: interrupted by SIGINT`, the
 * embedded cluster left (stopped when no other bpetl process uses it), exit 1.
 */

/** The exit status of an interrupted command: a failure like any other (README, CLI). */
export const EXIT_INTERRUPTED = 1;

const handlers: Array<(signal: NodeJS.Signals) => void> = [];
let interrupted = false;

/** Takes SIGINT and SIGTERM over from Node; idempotent. */
export function installInterruptHandling(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    if (!process.listeners(signal).includes(onSignal)) process.on(signal, onSignal);
  }
}

/**
 * `handler` gets the signals until the returned function is called; the newest registration wins
 * (a command's own handling while it runs).
 */
export function onInterrupt(handler: (signal: NodeJS.Signals) => void): () => void {
  handlers.push(handler);
  return () => {
    const at = handlers.lastIndexOf(handler);
    if (at >= 0) handlers.splice(at, 1);
  };
}

/** true once a signal interrupted the command (it is reported, and the status is EXIT_INTERRUPTED). */
export function wasInterrupted(): boolean {
  return interrupted;
}

function onSignal(signal: NodeJS.Signals): void {
  const handler = handlers.at(-1);
  if (handler) {
    handler(signal);
    return;
  }
  // A second signal while leaving the cluster changes nothing: the same status, the same leave.
  if (interrupted) return;
  interrupted = true;
  process.stderr.write(`error CANCELLED: interrupted by ${signal}\n`);
  process.exitCode = EXIT_INTERRUPTED;
  // On the way out, the command's clients lose the server being stopped under them (a migration's
  // pg client has no error listener): that must neither crash the process before the cluster is
  // left nor change the status.
  process.on('uncaughtException', () => undefined);
  process.on('unhandledRejection', () => undefined);
  // Loaded already when this process uses the embedded cluster; otherwise there is none to leave.
  void import('../db/embedded.ts')
    .then((embedded) => embedded.leaveClusters())
    .catch(() => undefined)
    .finally(() => process.exit(EXIT_INTERRUPTED));
}
