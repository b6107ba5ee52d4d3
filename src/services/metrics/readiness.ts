import { loadMigrations } from '../../db/migrate.ts';
import type { Db } from '../../db/sql.ts';
import type { Listener } from '../../events/listener.ts';
import { logger } from '../../logger.ts';

export interface ReadinessCheck {
  ok: boolean;
  /** Why it is not ok (absent when it is). */
  reason?: string;
}

export interface Readiness {
  ready: boolean;
  /** The first failing check's reason, absent when ready. */
  reason?: string;
  checks: { database: ReadinessCheck; migrations: ReadinessCheck; listener: ReadinessCheck };
}

/** How long the database may take to answer before the process is reported not ready. */
export const READINESS_TIMEOUT_MS = 2000;

let expectedMigrations: number[] | null = null;

class Timeout extends Error {}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Timeout(`the database did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function checkMigrations(db: Db): Promise<ReadinessCheck> {
  expectedMigrations ??= loadMigrations().map((m) => m.id);
  const [{ applied }]: Array<{ applied: number[] | null }> = await db.query(
    `select case when to_regclass('bpetl.migrations') is null then null
                 else (select coalesce(array_agg(id order by id), '{}') from bpetl.migrations) end as applied`,
  );
  if (applied === null) return { ok: false, reason: 'the database is not migrated: run bpetl migrate' };
  const pending = expectedMigrations.filter((id) => !applied.includes(id));
  if (pending.length === 0) return { ok: true };
  return {
    ok: false,
    reason: `${pending.length} migration(s) pending (${pending.join(', ')}): run bpetl migrate`,
  };
}

/**
 * What `/readyz` answers: the database answers, its migrations are those this code expects, and
 * the LISTEN connection is up (streams and cross-instance progress depend on it).
 */
export async function checkReadiness(
  host: { db: Db; listener: Listener },
  options: { timeoutMs?: number } = {},
): Promise<Readiness> {
  const timeoutMs = options.timeoutMs ?? READINESS_TIMEOUT_MS;
  let database: ReadinessCheck;
  let migrations: ReadinessCheck;
  try {
    migrations = await withTimeout(checkMigrations(host.db), timeoutMs);
    database = { ok: true };
  } catch (err) {
    // The probe answers anyone: the driver's message (host, port, SQL) goes to the log only.
    logger.warn({ err }, 'readiness: the database check failed');
    database = {
      ok: false,
      reason: err instanceof Timeout ? err.message : 'the database is unreachable (the log says why)',
    };
    migrations = { ok: false, reason: 'unknown: the database is unreachable' };
  }
  const state = host.listener.state();
  const listener: ReadinessCheck = state.connected
    ? { ok: true }
    : {
        ok: false,
        reason: state.opened
          ? 'the LISTEN connection is down (reconnecting)'
          : 'the LISTEN connection is not open (no background services started)',
      };
  const checks = { database, migrations, listener };
  const failing = [database, migrations, listener].find((c) => !c.ok);
  return failing ? { ready: false, reason: failing.reason, checks } : { ready: true, checks };
}
