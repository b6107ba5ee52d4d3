import { Gauge, type Registry } from 'prom-client';

import type { Db } from '../../db/sql.ts';
import { protectionStatus } from '../protection/switch.ts';
import { type HealthStatus, sharedHealth } from './report.ts';

const STATUSES: HealthStatus[] = ['HEALTHY', 'DEGRADED', 'CRITICAL'];

/**
 * The health report as Prometheus gauges on `registry`. Every scrape reads one health report (shared
 * by the gauges' collect callbacks through `once`), so every instance reports the same.
 */
export function registerHealthMetrics(
  registry: Registry,
  db: Db,
  once: <T>(key: string, read: () => Promise<T>) => Promise<T>,
): void {
  const read = () =>
    once('health', async () => {
      // Shared with the health query and subscribers: a scrape never adds a scan of its own.
      const report = await sharedHealth(db);
      const protection = await protectionStatus(db);
      return { report, protection };
    });
  const gauge = (
    name: string,
    help: string,
    labelNames: string[],
    collect: (g: Gauge, state: Awaited<ReturnType<typeof read>>) => void,
  ) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        const state = await read();
        this.reset();
        collect(this, state);
      },
    });
  gauge('bpetl_health_score', 'Health score, 0-100; 100 exactly when clean', [], (g, { report }) =>
    g.set(report.score),
  );
  gauge(
    'bpetl_health_status',
    'Current health status (1 for the current one)',
    ['status'],
    (g, { report }) => {
      for (const s of STATUSES) g.set({ status: s }, s === report.status ? 1 : 0);
    },
  );
  gauge('bpetl_protected_rows', 'User rows per protected data type', ['type'], (g, { report }) => {
    for (const type of report.types) g.set({ type: type.name }, type.rows);
  });
  gauge(
    'bpetl_orphans',
    'Rows whose reference dangles, per protected data type',
    ['type'],
    (g, { report }) => {
      for (const type of report.types) g.set({ type: type.name }, type.orphans);
    },
  );
  gauge('bpetl_health_check_issues', 'Issues found per check', ['check'], (g, { report }) => {
    for (const check of report.checks) g.set({ check: check.check }, check.issues);
  });
  gauge('bpetl_health_check_penalty', 'Points each check takes off the score', ['check'], (g, { report }) => {
    for (const check of report.checks) g.set({ check: check.check }, check.penalty);
  });
  gauge('bpetl_orphan_events_open', 'Orphan events not yet resolved or repaired', [], (g, { protection }) =>
    g.set(protection.pendingEvents),
  );
  gauge('bpetl_protection_enabled', '1 when every detection trigger is attached', [], (g, { protection }) =>
    g.set(protection.enabled ? 1 : 0),
  );
}
