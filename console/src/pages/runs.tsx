import { useEffect, useState } from 'preact/hooks';

import { ErrorNote, Status } from '../components/notes.tsx';
import { formatDuration, formatNumber, formatTime } from '../format.ts';
import { useQuery } from '../hooks.ts';
import { describeSource, FINAL, type Run, RUN_FIELDS, runCounts } from '../runs-model.ts';

const STATUSES = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'ROLLED_BACK', 'CANCELLED'];
/** How often the list looks again while a run is under way (no subscription lists runs). */
const REFRESH_MS = 2000;

export function RunsPage() {
  const [status, setStatus] = useState('');
  const runs = useQuery<{ pipelineRuns: Run[] }>(`query Runs { pipelineRuns(first: 100) { ${RUN_FIELDS} } }`);
  const list = runs.data?.pipelineRuns ?? [];
  const busy = list.some((r) => !FINAL.includes(r.status));
  useEffect(() => {
    if (!busy) return;
    const timer = setInterval(runs.reload, REFRESH_MS);
    return () => clearInterval(timer);
  }, [busy, runs.reload]);
  const shown = status ? list.filter((r) => r.status === status) : list;
  return (
    <section aria-labelledby="runs-title">
      <header class="page-head">
        <h2 id="runs-title">Runs</h2>
        <a href="#/runs/new" role="button">
          New import
        </a>
      </header>
      <label class="inline">
        Status{' '}
        <select value={status} onChange={(e) => setStatus(e.currentTarget.value)} name="status">
          <option value="">all</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </label>
      <ErrorNote error={runs.error} />
      <div class="overflow-auto">
        <table data-testid="runs-table">
          <thead>
            <tr>
              <th scope="col">run</th>
              <th scope="col">status</th>
              <th scope="col">source</th>
              <th scope="col">started</th>
              <th scope="col">duration</th>
              <th scope="col">inserted</th>
              <th scope="col">updated</th>
              <th scope="col">unchanged</th>
              <th scope="col">retired</th>
              <th scope="col">rejected</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((run) => (
              <RunRow key={run.id} run={run} />
            ))}
          </tbody>
        </table>
      </div>
      {shown.length === 0 && !runs.loading && <p>No runs{status ? ` with status ${status}` : ''}.</p>}
    </section>
  );
}

function RunRow({ run }: { run: Run }) {
  const counts = runCounts(run);
  return (
    <tr>
      <th scope="row">
        <a href={`#/runs/${run.id}`}>#{run.id}</a>
      </th>
      <td>
        <Status value={run.status} /> {run.dryRun && <span class="badge">dry run</span>}
      </td>
      <td>{describeSource(run.input)}</td>
      <td>{formatTime(run.startedAt ?? run.createdAt)}</td>
      <td>{formatDuration(run.startedAt, run.finishedAt)}</td>
      <td>{formatNumber(counts?.inserted)}</td>
      <td>{formatNumber(counts?.updated)}</td>
      <td>{formatNumber(counts?.unchanged)}</td>
      <td>{formatNumber(counts?.retired)}</td>
      <td>{formatNumber(counts?.rejected)}</td>
    </tr>
  );
}
