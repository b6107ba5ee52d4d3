import { request, unwrap } from '../api.ts';
import { ErrorNote } from '../components/notes.tsx';
import { formatTime } from '../format.ts';
import { useAction, useQuery } from '../hooks.ts';

interface Repair {
  id: string;
  eventId: string | null;
  table: string;
  rowId: string;
  column: string;
  oldValue: string | null;
  newValue: string;
  strategy: string;
  repairedAt: string;
  undoneAt: string | null;
}

const UNDO = `mutation UndoRepair($id: ID!) {
  undoRepair(id: $id) { __typename ... on Repair { id undoneAt } ... on OperationError { code message details } }
}`;

async function undo(id: string): Promise<unknown> {
  const data = await request<{ undoRepair: { __typename: string } }>(UNDO, { id });
  return unwrap(data.undoRepair);
}

/** The audit trail, newest first, with an undo per repair. */
export function RepairsTable({ tick, onUndone }: { tick: number; onUndone: () => void }) {
  const repairs = useQuery<{ repairs: Repair[] }>(
    `query Repairs { repairs(first: 50) { id eventId table rowId column oldValue newValue strategy repairedAt undoneAt } }`,
    {},
    String(tick),
  );
  const action = useAction(undo);
  const undoOne = async (id: string) => {
    if ((await action.run(id)) !== undefined) {
      repairs.reload();
      onUndone();
    }
  };
  const rows = repairs.data?.repairs ?? [];
  return (
    <article>
      <h3>Repairs</h3>
      <ErrorNote error={repairs.error ?? action.error} />
      {rows.length === 0 ? (
        <p>No repairs yet.</p>
      ) : (
        <div class="overflow-auto">
          <table data-testid="repairs-table">
            <thead>
              <tr>
                <th scope="col">repair</th>
                <th scope="col">row</th>
                <th scope="col">old → new</th>
                <th scope="col">how</th>
                <th scope="col">when</th>
                <th scope="col">undo</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id} data-repair-id={r.id}>
                  <th scope="row">{r.id}</th>
                  <td>
                    {r.table}.{r.column} #{r.rowId}
                  </td>
                  <td>
                    {r.oldValue ?? 'null'} → {r.newValue}
                  </td>
                  <td>{r.strategy}</td>
                  <td>{formatTime(r.repairedAt)}</td>
                  <td>
                    {r.undoneAt ? (
                      `undone ${formatTime(r.undoneAt)}`
                    ) : (
                      <button
                        type="button"
                        class="secondary"
                        disabled={action.pending}
                        aria-label={`Undo repair ${r.id}`}
                        onClick={() => void undoOne(r.id)}
                      >
                        Undo
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </article>
  );
}

interface QuarantineEntry {
  id: string;
  eventId: string | null;
  reference: string;
  rowId: string;
  missingRef: string;
  reason: string;
  candidates: number;
  flaggedAt: string;
}

/** Rows no strategy matched uniquely: flagged and kept, with the reason. */
export function QuarantineTable({ tick }: { tick: number }) {
  const quarantine = useQuery<{ quarantine: QuarantineEntry[] }>(
    `query Quarantine { quarantine(first: 100) { id eventId reference rowId missingRef reason candidates flaggedAt } }`,
    {},
    String(tick),
  );
  const rows = quarantine.data?.quarantine ?? [];
  return (
    <article>
      <h3>Quarantine</h3>
      <ErrorNote error={quarantine.error} />
      {rows.length === 0 ? (
        <p>Nothing is quarantined.</p>
      ) : (
        <div class="overflow-auto">
          <table data-testid="quarantine-table">
            <thead>
              <tr>
                <th scope="col">row</th>
                <th scope="col">missing reference</th>
                <th scope="col">reason</th>
                <th scope="col">candidates</th>
                <th scope="col">flagged</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((q) => (
                <tr key={q.id}>
                  <th scope="row">
                    {q.reference} #{q.rowId}
                  </th>
                  <td>{q.missingRef}</td>
                  <td>
                    {q.reason === 'AMBIGUOUS'
                      ? 'AMBIGUOUS: more than one candidate'
                      : 'NO_MATCH: no candidate'}
                  </td>
                  <td>{q.candidates}</td>
                  <td>{formatTime(q.flaggedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </article>
  );
}
