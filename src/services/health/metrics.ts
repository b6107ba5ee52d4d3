import { Gauge, Registry } from 'prom-client';

import type { Db } from '../../db/sql.ts';
import { protectionStatus } from '../protection/switch.ts';
import { checkHealth, type HealthStatus } from './report.ts';

const STATUSES: HealthStatus[] = ['HEALTHY', 'DEGRADED', 'CRITICAL'];

export interface Metrics {
  contentType: string;
  /** Runs a health check and renders it in Prometheus text format. */
  render(): Promise<string>;
}

/**
 * The health report as Prometheus gauges. Its own registry (not prom-client's global one), so
 * several apps in one process never register a metric twice.
 */
export function createMetrics(db: Db): Metrics {
  const registry = new Registry();
  const gauge = (name: string, help: string, labelNames: string[] = []) =>
    new Gauge({ name, help, labelNames, registers: [registry] });
  const score = gauge('bpetl_health_score', 'Health score, 0-100; 100 exactly when clean');
  const status = gauge('bpetl_health_status', 'Current health status (1 for the current one)', ['status']);
  const rows = gauge('bpetl_protected_rows', 'User rows per protected data type', ['type']);
  const orphans = gauge('bpetl_orphans', 'Rows whose reference dangles, per protected data type', ['type']);
  const issues = gauge('bpetl_health_check_issues', 'Issues found per check', ['check']);
  const penalty = gauge('bpetl_health_check_penalty', 'Points each check takes off the score', ['check']);
  const open = gauge('bpetl_orphan_events_open', 'Orphan events not yet resolved or repaired');
  const enabled = gauge('bpetl_protection_enabled', '1 when every detection trigger is attached');
  return {
    contentType: registry.contentType,
    async render() {
      const [report, protection] = [await checkHealth(db), await protectionStatus(db)];
      registry.resetMetrics();
      score.set(report.score);
      for (const s of STATUSES) status.set({ status: s }, s === report.status ? 1 : 0);
      for (const type of report.types) {
        rows.set({ type: type.name }, type.rows);
        orphans.set({ type: type.name }, type.orphans);
      }
      for (const check of report.checks) {
        issues.set({ check: check.check }, check.issues);
        penalty.set({ check: check.check }, check.penalty);
      }
      open.set(protection.pendingEvents);
      enabled.set(protection.enabled ? 1 : 0);
      return registry.metrics();
    },
  };
}
