import { useState } from 'preact/hooks';

import { request, unwrap } from '../api.ts';
import { ConfirmButton } from '../components/confirm.tsx';
import { ErrorNote } from '../components/notes.tsx';
import { RecordsTable } from '../components/records-table.tsx';
import { formatNumber, formatTime } from '../format.ts';
import { useAction, useQuery } from '../hooks.ts';

interface Snapshot {
  id: string;
  createdAt: string;
  note: string | null;
  rows: number;
  runId: string | null;
  byType: Array<{ dataType: string; rows: number }>;
}

interface RestoreResult {
  snapshotId: string;
  dryRun: boolean;
  checked: number;
  remapped: number;
  unchanged: number;
  unmatched: number;
  byReference: Array<{ reference: string; remapped: number; unmatched: number }>;
}

const RESTORE = `mutation Restore($id: ID!, $dryRun: Boolean!) {
  restoreUserData(snapshotId: $id, dryRun: $dryRun) {
    __typename
    ... on RestoreResult { snapshotId dryRun checked remapped unchanged unmatched byReference { reference remapped unmatched } }
    ... on OperationError { code message details }
  }
}`;

async function restore(id: string, dryRun: boolean): Promise<RestoreResult> {
  const data = await request<{ restoreUserData: RestoreResult & { __typename: string } }>(RESTORE, {
    id,
    dryRun,
  });
  return unwrap(data.restoreUserData);
}

export function SnapshotsPanel() {
  const snapshots = useQuery<{ snapshots: Snapshot[] }>(
    `query Snapshots { snapshots { id createdAt note rows runId byType { dataType rows } } }`,
  );
  const action = useAction(restore);
  const [result, setResult] = useState<RestoreResult | null>(null);
  const run = async (id: string, dryRun: boolean) => {
    const outcome = await action.run(id, dryRun);
    if (outcome) setResult(outcome);
  };
  const rows = snapshots.data?.snapshots ?? [];
  return (
    <article>
      <h3>Snapshots</h3>
      <ErrorNote error={snapshots.error ?? action.error} />
      {result && (
        <RestorePlan
          result={result}
          pending={action.pending}
          onRestore={() => void run(result.snapshotId, false)}
        />
      )}
      {rows.length === 0 ? (
        <p>No snapshots yet: every run takes one before it imports.</p>
      ) : (
        <div class="overflow-auto">
          <table data-testid="snapshots-table">
            <thead>
              <tr>
                <th scope="col">snapshot</th>
                <th scope="col">taken</th>
                <th scope="col">run</th>
                <th scope="col">rows</th>
                <th scope="col">by type</th>
                <th scope="col">restore</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((s) => (
                <tr key={s.id}>
                  <th scope="row">
                    {s.id}
                    {s.note ? ` · ${s.note}` : ''}
                  </th>
                  <td>{formatTime(s.createdAt)}</td>
                  <td>{s.runId ? <a href={`#/runs/${s.runId}`}>#{s.runId}</a> : '—'}</td>
                  <td>{formatNumber(s.rows)}</td>
                  <td>{s.byType.map((t) => `${t.dataType} ${formatNumber(t.rows)}`).join(', ')}</td>
                  <td>
                    <button
                      type="button"
                      class="secondary"
                      disabled={action.pending}
                      aria-label={`Plan a restore from snapshot ${s.id}`}
                      onClick={() => void run(s.id, true)}
                    >
                      Plan restore
                    </button>
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

function RestorePlan({
  result,
  pending,
  onRestore,
}: {
  result: RestoreResult;
  pending: boolean;
  onRestore: () => void;
}) {
  return (
    <article class="plan" aria-live="polite" data-testid="restore-plan">
      <p>
        {result.dryRun ? 'Dry run of a restore' : 'Restored'} from snapshot {result.snapshotId}:{' '}
        {result.checked} row(s) checked, {result.remapped} {result.dryRun ? 'would be' : 'were'} re-pointed,{' '}
        {result.unchanged} unchanged, {result.unmatched} without a unique match (left as they are).
      </p>
      {result.byReference.length > 0 && (
        <RecordsTable
          caption="Per reference"
          rows={result.byReference as unknown as Array<Record<string, unknown>>}
        />
      )}
      {result.dryRun && (
        <ConfirmButton
          label="Restore for real"
          title={`Restore user data from snapshot ${result.snapshotId}?`}
          confirmLabel="Restore"
          disabled={pending}
          onConfirm={onRestore}
        >
          <p>
            {result.remapped} row(s) will be re-pointed to the rows their snapshot's natural keys name now.
            Nothing is deleted.
          </p>
        </ConfirmButton>
      )}
    </article>
  );
}
