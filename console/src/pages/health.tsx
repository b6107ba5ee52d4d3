import { useState } from 'preact/hooks';

import { TimeChart } from '../components/chart.tsx';
import { ErrorNote, LiveBadge, Status } from '../components/notes.tsx';
import { formatNumber, formatTime } from '../format.ts';
import { useLive, useQuery } from '../hooks.ts';

interface HealthReport {
  score: number;
  status: string;
  checkedAt: string;
  types: Array<{ name: string; rows: number; orphans: number }>;
  checks: Array<{ check: string; issues: number; penalty: number; rows: number }>;
  issues: Array<{
    check: string;
    severity: string;
    table: string;
    subject: string;
    message: string;
    rows: number;
  }>;
}

const REPORT = `score status checkedAt types { name rows orphans } checks { check issues penalty rows }
  issues { check severity table subject message rows }`;

export function HealthPage() {
  const initial = useQuery<{ health: HealthReport }>(`query Health { health { ${REPORT} } }`);
  const [pushed, setPushed] = useState<HealthReport | null>(null);
  const isLive = useLive<{ healthChanged: HealthReport }>(
    `subscription HealthChanged { healthChanged { ${REPORT} } }`,
    {
      next: (data) => setPushed(data.healthChanged),
    },
  );
  const report = pushed ?? initial.data?.health ?? null;
  return (
    <section aria-labelledby="health-title">
      <header class="page-head">
        <h2 id="health-title">Health</h2>
        <LiveBadge live={isLive} />
      </header>
      <ErrorNote error={initial.error} />
      {report ? <Report report={report} /> : <p aria-busy="true">Checking…</p>}
      <History />
    </section>
  );
}

function Report({ report }: { report: HealthReport }) {
  return (
    <>
      <div class="score-card">
        <article class={`score ${report.status.toLowerCase()}`}>
          <span class="score-value" data-testid="health-score">
            {report.score}
          </span>
          <span class="score-label">of 100</span>
          <Status value={report.status} />
          <small>checked {formatTime(report.checkedAt)}</small>
        </article>
        <article>
          <h3>Checks</h3>
          {report.checks.length === 0 && <p>No check takes points off.</p>}
          <div class="overflow-auto">
            <table>
              <thead>
                <tr>
                  <th scope="col">check</th>
                  <th scope="col">issues</th>
                  <th scope="col">rows</th>
                  <th scope="col">points off</th>
                </tr>
              </thead>
              <tbody>
                {report.checks.map((c) => (
                  <tr key={c.check}>
                    <th scope="row">{c.check}</th>
                    <td>{formatNumber(c.issues)}</td>
                    <td>{formatNumber(c.rows)}</td>
                    <td class={c.penalty > 0 ? 'bad-text' : ''}>{c.penalty > 0 ? `−${c.penalty}` : '0'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </article>
      </div>
      <h3>Protected data types</h3>
      <div class="overflow-auto">
        <table>
          <thead>
            <tr>
              <th scope="col">type</th>
              <th scope="col">rows</th>
              <th scope="col">orphans</th>
            </tr>
          </thead>
          <tbody>
            {report.types.map((t) => (
              <tr key={t.name}>
                <th scope="row">{t.name}</th>
                <td>{formatNumber(t.rows)}</td>
                <td class={t.orphans > 0 ? 'bad-text' : ''}>{formatNumber(t.orphans)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {report.issues.length > 0 && <Issues issues={report.issues} />}
    </>
  );
}

function Issues({ issues }: { issues: HealthReport['issues'] }) {
  return (
    <>
      <h3>Issues</h3>
      <ul>
        {issues.map((i) => (
          <li key={`${i.check}:${i.table}:${i.subject}`}>
            <strong>{i.severity}</strong> {i.check} on {i.table}: {i.message}
          </li>
        ))}
      </ul>
    </>
  );
}

const RANGES = [
  { label: 'last 24 hours', hours: 24 },
  { label: 'last 7 days', hours: 24 * 7 },
  { label: 'last 30 days', hours: 24 * 30 },
];

interface HistoryPoint {
  checkedAt: string;
  score: number;
  status: string;
}

function History() {
  const [hours, setHours] = useState(24 * 7);
  // Rounded to the minute, so the variables (and the request) change only when the range does.
  const since = new Date(Math.floor(Date.now() / 60_000) * 60_000 - hours * 3600_000).toISOString();
  const history = useQuery<{ healthHistory: HistoryPoint[] }>(
    `query HealthHistory($since: DateTime!) { healthHistory(since: $since) { checkedAt score status } }`,
    { since },
    String(hours),
  );
  const points = history.data?.healthHistory ?? [];
  return (
    <article>
      <header class="page-head">
        <h3>Score over time</h3>
        <label>
          Range{' '}
          <select value={hours} onChange={(e) => setHours(Number(e.currentTarget.value))}>
            {RANGES.map((r) => (
              <option key={r.hours} value={r.hours}>
                {r.label}
              </option>
            ))}
          </select>
        </label>
      </header>
      <ErrorNote error={history.error} />
      {points.length === 0 ? (
        <p>No change of the report was recorded in this range.</p>
      ) : (
        <TimeChart
          label={`Health score over the ${RANGES.find((r) => r.hours === hours)?.label}`}
          times={points.map((p) => Date.parse(p.checkedAt) / 1000)}
          series={[{ label: 'score', values: points.map((p) => p.score), color: '#2e7d32' }]}
          yRange={[0, 100]}
        />
      )}
    </article>
  );
}
