import { useEffect, useState } from 'preact/hooks';

import { ErrorNote, LiveBadge, Status } from '../components/notes.tsx';
import { RecordsTable } from '../components/records-table.tsx';
import { formatDuration, formatNumber, formatTime } from '../format.ts';
import { useLive, useQuery } from '../hooks.ts';
import { navigate } from '../router.ts';
import {
  describeSource,
  FINAL,
  type Run,
  RUN_FIELDS,
  runCounts,
  runWarnings,
  tableCounts,
} from '../runs-model.ts';
import { startImport } from './new-import.tsx';

interface PipelineEvent {
  id: string;
  step: string;
  status: string;
  done: number | null;
  total: number | null;
  message: string;
  at: string;
}

export function RunPage({ id }: { id: string }) {
  const run = useQuery<{ pipelineRun: Run }>(
    `query Run($id: ID!) { pipelineRun(id: $id) { ${RUN_FIELDS} } }`,
    {
      id,
    },
  );
  const [events, setEvents] = useState<PipelineEvent[]>([]);
  const current = run.data?.pipelineRun;
  const isLive = useLive<{ pipelineProgress: PipelineEvent }>(
    `subscription Progress($runId: ID!, $after: ID) {
      pipelineProgress(runId: $runId, after: $after) { id step status done total message at }
    }`,
    {
      // Resumes after the last event shown, so a reconnect neither repeats nor skips one.
      variables: () => ({ runId: id, after: events.at(-1)?.id ?? null }),
      next: (data) => {
        const event = data.pipelineProgress;
        setEvents((list) => (list.some((e) => e.id === event.id) ? list : [...list, event]));
        if (event.step === 'run' && FINAL.includes(event.status)) run.reload();
      },
      complete: run.reload,
    },
    id,
  );
  useTicker(current !== undefined && !FINAL.includes(current.status));
  if (run.error) return <ErrorNote error={run.error} />;
  if (!current) return <p aria-busy="true">Loading run #{id}…</p>;
  const running = !FINAL.includes(current.status);
  return (
    <section aria-labelledby="run-title">
      <header class="page-head">
        <h2 id="run-title">
          Run #{current.id} <Status value={current.status} />{' '}
          {current.dryRun && <span class="badge">dry run</span>}
        </h2>
        {running && <LiveBadge live={isLive} />}
      </header>
      <p>
        {describeSource(current.input)} · started {formatTime(current.startedAt)} ·{' '}
        {formatDuration(current.startedAt, current.finishedAt)}
      </p>
      {running && <Progress events={events} />}
      {current.error && <Failure error={current.error} />}
      <Counts run={current} />
      {current.dryRun && current.status === 'SUCCEEDED' && <RealRun run={current} />}
      <Timeline events={events} />
      <Warnings run={current} />
      <Rejections run={current} />
    </section>
  );
}

/** Re-renders every second while `on`, so running durations count up. */
function useTicker(on: boolean): void {
  const [, setTick] = useState(0);
  useEffect(() => {
    if (!on) return;
    const timer = setInterval(() => setTick((t) => t + 1), 1000);
    return () => clearInterval(timer);
  }, [on]);
}

function Progress({ events }: { events: PipelineEvent[] }) {
  const last = events.at(-1);
  const measured = [...events].reverse().find((e) => e.total);
  const value = measured?.done ?? 0;
  const max = measured?.total ?? undefined;
  return (
    <article data-testid="run-progress">
      <label>
        {last ? `${last.step}: ${last.message}` : 'starting…'}
        <progress value={max ? value : undefined} max={max} aria-label="run progress" />
      </label>
    </article>
  );
}

function Failure({ error }: { error: NonNullable<Run['error']> }) {
  return (
    <article class="failure">
      <h3>
        Stopped: <code>{error.code}</code>
      </h3>
      <p>{error.message}</p>
      {error.details != null && <Details value={error.details} />}
    </article>
  );
}

/** A guard's details: rows of objects as a table (e.g. per league), anything else as JSON. */
function Details({ value }: { value: unknown }) {
  const rows = Array.isArray(value)
    ? value
    : typeof value === 'object' && value !== null
      ? Object.values(value).find(Array.isArray)
      : null;
  if (rows && rows.length > 0 && typeof rows[0] === 'object') {
    return <RecordsTable caption="Details" rows={rows as Array<Record<string, unknown>>} />;
  }
  return <pre>{JSON.stringify(value, null, 2)}</pre>;
}

function Counts({ run }: { run: Run }) {
  const counts = runCounts(run);
  const tables = tableCounts(run);
  if (!counts) return null;
  return (
    <article>
      <h3>{run.dryRun ? 'Plan (nothing was written)' : 'Counts'}</h3>
      <dl class="counts" data-testid="run-counts">
        {Object.entries(counts).map(([name, value]) => (
          <div key={name}>
            <dt>{name}</dt>
            <dd>{formatNumber(value)}</dd>
          </div>
        ))}
      </dl>
      <RecordsTable
        caption="Per table"
        rows={tables as unknown as Array<Record<string, unknown>>}
        columns={['table', 'inserted', 'updated', 'unchanged', 'retired']}
      />
    </article>
  );
}

function RealRun({ run }: { run: Run }) {
  const [error, setError] = useState<Error | null>(null);
  const go = async () => {
    try {
      const started = await startImport({ ...run.input, dryRun: false }, run.id);
      navigate(`runs/${started.id}`);
    } catch (err) {
      setError(err as Error);
    }
  };
  return (
    <article>
      <p>This was a dry run. When the plan above is what you expect, run the same import for real.</p>
      <button type="button" onClick={() => void go()}>
        Import for real
      </button>
      {error && (
        <p class="error" role="alert">
          {error.message}
        </p>
      )}
    </article>
  );
}

interface StepSpan {
  step: string;
  status: string;
  started: string;
  ended: string | null;
  message: string;
}

function steps(events: PipelineEvent[]): StepSpan[] {
  const spans: StepSpan[] = [];
  for (const e of events) {
    if (e.step === 'run') continue;
    const span = spans.find((s) => s.step === e.step);
    if (!span) spans.push({ step: e.step, status: e.status, started: e.at, ended: null, message: e.message });
    else {
      span.status = e.status;
      span.message = e.message;
      if (e.status !== 'PROGRESS') span.ended = e.at;
    }
  }
  return spans;
}

function Timeline({ events }: { events: PipelineEvent[] }) {
  const spans = steps(events);
  if (spans.length === 0) return null;
  return (
    <article>
      <h3>Steps</h3>
      <ol class="timeline" data-testid="run-steps">
        {spans.map((s) => (
          <li key={s.step} class={s.ended ? 'done' : 'active'}>
            <strong>{s.step}</strong> <span class="muted">{formatDuration(s.started, s.ended)}</span>
            <div>{s.message}</div>
          </li>
        ))}
      </ol>
    </article>
  );
}

function Warnings({ run }: { run: Run }) {
  const warnings = runWarnings(run);
  if (warnings.length === 0) return null;
  return (
    <article>
      <RecordsTable
        caption={`Warnings (${warnings.length})`}
        rows={warnings}
        columns={['code', 'file', 'league', 'count', 'message', 'sample']}
      />
    </article>
  );
}

function Rejections({ run }: { run: Run }) {
  const imported = run.stats?.import;
  const rows = imported?.rejections ?? [];
  if (rows.length === 0) return null;
  const shown =
    (imported?.rejected ?? rows.length) > rows.length
      ? ` (first ${rows.length} of ${imported?.rejected})`
      : '';
  return (
    <article>
      <RecordsTable
        caption={`Rejected records${shown}`}
        rows={rows as unknown as Array<Record<string, unknown>>}
        columns={['file', 'index', 'field', 'reason', 'value']}
      />
    </article>
  );
}
