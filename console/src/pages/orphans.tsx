import { useEffect, useRef, useState } from 'preact/hooks';

import { request } from '../api.ts';
import { ErrorNote, LiveBadge } from '../components/notes.tsx';
import { describeKey, formatTime } from '../format.ts';
import { useAction, useLive } from '../hooks.ts';
import {
  loadStream,
  maxId,
  mergeEvents,
  ORPHAN_FIELDS,
  type OrphanEvent,
  saveStream,
  type StreamState,
} from '../orphans-store.ts';
import { QuarantineTable, RepairsTable } from './orphan-history.tsx';
import { RepairPanel, type RepairPlan } from './orphan-repair.tsx';

/**
 * Where a tab's first look at the stream starts: the open orphans, and past the latest repaired
 * event (everything before it that is still open is in the list already), so the replay stays short.
 */
async function firstLook(): Promise<StreamState> {
  const data = await request<{ orphans: OrphanEvent[]; repairs: Array<{ eventId: string | null }> }>(
    `query OpenOrphans { orphans(resolved: false, first: 200) { ${ORPHAN_FIELDS} } repairs(first: 1) { eventId } }`,
  );
  const cursor = maxId(data.orphans.at(-1)?.id ?? '0', data.repairs[0]?.eventId);
  return { cursor, rows: mergeEvents([], data.orphans) };
}

/** Reads the current state of the events shown (repairs and undos resolve and reopen them). */
async function refreshed(rows: OrphanEvent[]): Promise<OrphanEvent[]> {
  if (rows.length === 0) return [];
  const after = String(Number(rows[0]!.id) - 1);
  const data = await request<{ orphans: OrphanEvent[] }>(
    `query Orphans($after: ID) { orphans(after: $after, first: 200) { ${ORPHAN_FIELDS} } }`,
    { after },
  );
  const shown = new Set(rows.map((r) => r.id));
  return data.orphans.filter((e) => shown.has(e.id));
}

export function OrphansPage() {
  const [stream, setStream] = useState<StreamState | null>(loadStream);
  const [plan, setPlan] = useState<RepairPlan | null>(null);
  const [historyTick, setHistoryTick] = useState(0);
  const latest = useRef(stream);
  latest.current = stream;
  const seed = useAction(firstLook);
  useEffect(() => {
    if (stream === null) void seed.run().then((state) => state && setStream(state));
  }, []);
  useEffect(() => {
    if (stream) saveStream(stream);
  }, [stream]);
  const isLive = useLive<{ orphanDetected: OrphanEvent }>(
    `subscription Orphans($after: ID) { orphanDetected(after: $after) { ${ORPHAN_FIELDS} } }`,
    {
      enabled: stream !== null,
      variables: () => ({ after: latest.current?.cursor ?? null }),
      next: ({ orphanDetected: event }) =>
        setStream((s) => ({
          cursor: maxId(s?.cursor ?? null, event.id),
          rows: mergeEvents(s?.rows ?? [], [event]),
        })),
    },
  );
  const changed = async () => {
    setHistoryTick((t) => t + 1);
    const current = latest.current;
    if (!current) return;
    const updates = await refreshed(current.rows);
    setStream((s) => s && { ...s, rows: mergeEvents(s.rows, updates) });
  };
  const rows = stream?.rows ?? [];
  const open = rows.filter((r) => !r.resolvedAt).length;
  return (
    <section aria-labelledby="orphans-title">
      <header class="page-head">
        <h2 id="orphans-title">Orphans</h2>
        <LiveBadge live={isLive} />
      </header>
      <p>
        {open} open of {rows.length} shown · stream cursor{' '}
        <code data-testid="orphan-cursor">{stream?.cursor ?? '—'}</code>
      </p>
      <ErrorNote error={seed.error} />
      <RepairPanel plan={plan} onPlan={setPlan} onRepaired={() => void changed()} />
      <OrphanTable rows={rows} plan={plan} />
      <RepairsTable tick={historyTick} onUndone={() => void changed()} />
      <QuarantineTable tick={historyTick} />
    </section>
  );
}

function PlanCell({ event, plan }: { event: OrphanEvent; plan: RepairPlan | null }) {
  if (!plan) return null;
  const repair = plan.repaired.find((r) => r.eventId === event.id);
  if (repair) {
    return (
      <>
        → {repair.newValue} <span class="muted">({repair.strategy})</span>
      </>
    );
  }
  const held = plan.quarantined.find((q) => q.eventId === event.id);
  if (held) return <>quarantine: {held.reason}</>;
  return <span class="muted">{event.resolvedAt ? '' : 'not examined'}</span>;
}

function OrphanTable({ rows, plan }: { rows: OrphanEvent[]; plan: RepairPlan | null }) {
  return (
    <div class="overflow-auto">
      <table data-testid="orphans-table">
        <caption>Orphan events, newest first</caption>
        <thead>
          <tr>
            <th scope="col">event</th>
            <th scope="col">detected</th>
            <th scope="col">row</th>
            <th scope="col">missing reference</th>
            <th scope="col">vanished target</th>
            <th scope="col">cause</th>
            <th scope="col">state</th>
            {plan && <th scope="col">repair plan</th>}
          </tr>
        </thead>
        <tbody>
          {[...rows].reverse().map((e) => (
            <tr key={e.id} data-event-id={e.id} class={e.resolvedAt ? 'resolved' : 'open'}>
              <th scope="row">{e.id}</th>
              <td>{formatTime(e.detectedAt)}</td>
              <td>
                {e.table} #{e.rowId}
              </td>
              <td>
                {e.reference} = {e.missingRef}
              </td>
              <td>{describeKey(e.targetTable, e.context, e.missingRef)}</td>
              <td>{e.cause}</td>
              <td>{e.resolvedAt ? `${e.resolution ?? 'resolved'} ${formatTime(e.resolvedAt)}` : 'open'}</td>
              {plan && (
                <td>
                  <PlanCell event={e} plan={plan} />
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
