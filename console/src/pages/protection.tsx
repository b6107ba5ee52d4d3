import { request, unwrap } from '../api.ts';
import { ConfirmButton } from '../components/confirm.tsx';
import { ErrorNote } from '../components/notes.tsx';
import { formatNumber, formatTime } from '../format.ts';
import { useAction, useQuery } from '../hooks.ts';
import { SnapshotsPanel } from './snapshots.tsx';

interface Protection {
  enabled: boolean;
  pendingEvents: number;
  since: string | null;
  tables: Array<{ table: string; role: string; covered: boolean; triggers: string[] }>;
}

const PROTECTION = `enabled pendingEvents since tables { table role covered triggers }`;

async function toggle(enable: boolean): Promise<Protection> {
  const field = enable ? 'enableProtection' : 'disableProtection';
  const data = await request<Record<string, Protection & { __typename: string }>>(
    `mutation { ${field} { __typename ... on ProtectionStatus { ${PROTECTION} } ... on OperationError { code message details } } }`,
  );
  return unwrap(data[field]!);
}

export function ProtectionPage() {
  const protection = useQuery<{ protection: Protection }>(
    `query Protection { protection { ${PROTECTION} } }`,
  );
  const action = useAction(toggle);
  const status = protection.data?.protection;
  const change = async (enable: boolean) => {
    if (await action.run(enable)) protection.reload();
  };
  return (
    <section aria-labelledby="protection-title">
      <h2 id="protection-title">Protection and snapshots</h2>
      <ErrorNote error={protection.error ?? action.error} />
      {status && (
        <article>
          <header class="page-head">
            <h3>
              Real-time orphan detection{' '}
              <span data-testid="protection-state" class={`status ${status.enabled ? 'ok' : 'bad'}`}>
                {status.enabled ? 'enabled' : 'disabled'}
              </span>
            </h3>
            {status.enabled ? (
              <ConfirmButton
                label="Disable protection"
                title="Disable real-time orphan detection?"
                confirmLabel="Disable"
                danger
                disabled={action.pending}
                onConfirm={() => void change(false)}
              >
                <p>
                  The triggers are detached. Orphans created while protection is off are not streamed; an
                  emergency repair finds them later.
                </p>
              </ConfirmButton>
            ) : (
              <ConfirmButton
                label="Enable protection"
                title="Enable real-time orphan detection?"
                confirmLabel="Enable"
                disabled={action.pending}
                onConfirm={() => void change(true)}
              >
                <p>The detection triggers are attached to every table of the protection spec.</p>
              </ConfirmButton>
            )}
          </header>
          <p>
            {status.enabled ? `On since ${formatTime(status.since)}` : 'Off'} ·{' '}
            {formatNumber(status.pendingEvents)} orphan event(s) not yet resolved
          </p>
          <SpecTable tables={status.tables} />
        </article>
      )}
      <SnapshotsPanel />
    </section>
  );
}

function SpecTable({ tables }: { tables: Protection['tables'] }) {
  return (
    <div class="overflow-auto">
      <table data-testid="protection-table">
        <caption>Protected tables</caption>
        <thead>
          <tr>
            <th scope="col">table</th>
            <th scope="col">role</th>
            <th scope="col">triggers</th>
            <th scope="col">state</th>
          </tr>
        </thead>
        <tbody>
          {tables.map((t) => (
            <tr key={`${t.role}:${t.table}`}>
              <th scope="row">{t.table}</th>
              <td>{t.role === 'SOURCE' ? 'holds references' : 'is referenced'}</td>
              <td>{t.triggers.length ? t.triggers.join(', ') : 'none'}</td>
              <td>{t.covered ? 'attached' : 'not attached'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
