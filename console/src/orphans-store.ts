/** An orphan event as the console shows it. */
export interface OrphanEvent {
  id: string;
  table: string;
  rowId: string;
  column: string;
  reference: string;
  targetTable: string;
  missingRef: string;
  cause: string;
  context: unknown;
  detectedAt: string;
  resolvedAt: string | null;
  resolution: string | null;
}

export const ORPHAN_FIELDS = `id table rowId column reference targetTable missingRef cause context detectedAt resolvedAt resolution`;

/** The table keeps the newest events; older ones stay queryable through `orphans`. */
export const MAX_ROWS = 500;
const KEY = 'bpetl.orphanStream';

export interface StreamState {
  /** The id of the last event received: the stream resumes after it. */
  cursor: string | null;
  rows: OrphanEvent[];
}

/**
 * The table and its cursor, kept for the tab: a reload shows the same rows and resumes the stream
 * after the last one, so nothing is missed or shown twice.
 */
export function loadStream(): StreamState | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as StreamState) : null;
  } catch {
    return null;
  }
}

export function saveStream(state: StreamState): void {
  sessionStorage.setItem(KEY, JSON.stringify(state));
}

/** Adds events not seen yet (by id), in id order, keeping the newest MAX_ROWS. */
export function mergeEvents(rows: OrphanEvent[], events: OrphanEvent[]): OrphanEvent[] {
  const byId = new Map(rows.map((r) => [r.id, r]));
  for (const e of events) byId.set(e.id, { ...byId.get(e.id), ...e });
  return [...byId.values()].sort((a, b) => Number(a.id) - Number(b.id)).slice(-MAX_ROWS);
}

export function maxId(a: string | null, b: string | null | undefined): string | null {
  if (b == null) return a;
  if (a === null) return b;
  return Number(b) > Number(a) ? b : a;
}
