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
  references: Reference[];
  skipped: Array<{ name: string; reason: string }>;
}

interface Reference {
  name: string;
  table: string;
  column: string;
  targetTable: string;
  targetColumn: string;
  origin: string;
  rematch: string;
  onDelete: string | null;
  covered: boolean;
}

const PROTECTION = `enabled pendingEvents since tables { table role covered triggers }
  references { name table column targetTable targetColumn origin rematch onDelete covered }
  skipped { name reason }`;

const ORIGINS: Record<string, string> = {
  FOREIGN_KEY: 'foreign key',
  BUILT_IN: 'built in',
  OPERATOR: 'operator',
};

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
          <ReferencesTable references={status.references} />
          <SpecTable tables={status.tables} />
          {status.skipped.length > 0 && (
            <details data-testid="protection-skipped">
              <summary>{status.skipped.length} reference(s) not protected here</summary>
              <ul>
                {status.skipped.map((s) => (
                  <li key={s.name}>
                    <code>{s.name}</code>: {s.reason}
                  </li>
                ))}
              </ul>
            </details>
          )}
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

/** Every entry of the protection spec: where it points, where it came from, whether it is watched. */
function ReferencesTable({ references }: { references: Reference[] }) {
  return (
    <div class="overflow-auto">
      <table data-testid="protection-references">
        <caption>Protected references ({references.length})</caption>
        <thead>
          <tr>
            <th scope="col">reference</th>
            <th scope="col">points at</th>
            <th scope="col">origin</th>
            <th scope="col">rematch</th>
            <th scope="col">on delete</th>
            <th scope="col">triggers</th>
          </tr>
        </thead>
        <tbody>
          {references.map((r) => (
            <tr key={r.name}>
              <th scope="row">
                {r.table}.{r.column}
              </th>
              <td>
                {r.targetTable}.{r.targetColumn}
              </td>
              <td>{ORIGINS[r.origin] ?? r.origin}</td>
              <td>{r.rematch}</td>
              <td>{r.onDelete ?? 'no foreign key'}</td>
              <td class={r.covered ? '' : 'bad'}>{r.covered ? 'attached' : 'not attached'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
