import type { DataSource } from 'typeorm';

import { type OpenTransaction, openTransaction, type Tx } from '../../db/sql.ts';
import { logger } from '../../logger.ts';
import { importInProgress, tryImportLock, waitForLock } from './lock.ts';

/**
 * The step contract, shared by `runPipeline` and the single-step mutations that write reference
 * data: one transaction under the import lock (a second caller, on any instance, gets
 * IMPORT_IN_PROGRESS at once instead of queueing), and a dry run that rolls back, its result being
 * the plan.
 */

/** Opens a transaction on its own connection and takes the import lock in it. */
export async function openLockedTransaction(db: DataSource): Promise<OpenTransaction> {
  const open = await openTransaction(db, (err) => logger.warn({ err }, 'rollback failed'));
  try {
    if (!(await tryImportLock(open.tx))) throw await importInProgress(db);
  } catch (err) {
    await open.rollback();
    throw err;
  }
  return open;
}

/** Ends a step's transaction: a dry run rolls back, anything else commits. */
export async function endStep(open: OpenTransaction, dryRun: boolean): Promise<void> {
  if (dryRun) await open.rollback();
  else await open.commit();
}

export interface StepOptions {
  /** The caller's open transaction, to join (the pipeline's, which holds the import lock already). */
  tx?: Tx;
  /** Roll back at the end, the result being the plan. */
  dryRun?: boolean;
  /**
   * A lock of the step's own (an advisory lock key) instead of the import lock: waited for, not
   * refused, and taken in a joined transaction too. For steps that must not run twice at once but
   * may run beside an import (orphan repairs).
   */
  ownLock?: number;
}

/**
 * Runs one step: in the caller's transaction when given one, else in its own under the import lock
 * (or its own lock), rolled back after a dry run or a failure.
 */
export async function runStep<T>(
  db: DataSource,
  options: StepOptions,
  fn: (tx: Tx) => Promise<T>,
): Promise<T> {
  const { ownLock } = options;
  const locked = async (tx: Tx) => {
    if (ownLock !== undefined) await waitForLock(tx, ownLock);
    return fn(tx);
  };
  if (options.tx?.queryRunner?.isTransactionActive) return locked(options.tx);
  const open =
    ownLock === undefined
      ? await openLockedTransaction(db)
      : await openTransaction(db, (err) => logger.warn({ err }, 'rollback failed'));
  let result: T;
  try {
    result = await locked(open.tx);
  } catch (err) {
    await open.rollback();
    throw err;
  }
  await endStep(open, options.dryRun ?? false);
  return result;
}
