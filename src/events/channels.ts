/**
 * PostgreSQL NOTIFY channels. The triggers in migrations/ send on the same names; a notification is
 * only a hint (lost while a listener is disconnected), the tables are the truth.
 */
export const CHANNEL = {
  /** An orphan event was recorded (payload: the table); also sent by an emergency scan. */
  orphanEvent: 'bpetl_orphan_event',
  /** A pipeline event was stored (payload: `{ runId, id }` JSON). */
  pipeline: 'bpetl_pipeline',
  /** A log alert was raised (payload: `{ id, category }` JSON). */
  logAlert: 'bpetl_log_alert',
  /** Log findings were stored (payload: `{ category, ids }` JSON). */
  logFinding: 'bpetl_log_finding',
} as const;

export type Channel = (typeof CHANNEL)[keyof typeof CHANNEL];
