import { useState } from 'preact/hooks';

import { type ChartSeries, TimeChart } from '../components/chart.tsx';
import { ErrorNote, LiveBadge } from '../components/notes.tsx';
import { formatNumber, formatTime } from '../format.ts';
import { useLive, useQuery } from '../hooks.ts';

interface Finding {
  id: string;
  category: string;
  fingerprint: string;
  count: number;
  firstSeen: string | null;
  lastSeen: string | null;
  files: string[];
  sample: string;
}

interface Alert {
  id: string;
  category: string;
  count: number;
  threshold: number;
  windowSeconds: number;
  message: string;
  raisedAt: string;
}

const COLORS = ['#c62828', '#1565c0', '#2e7d32', '#ef6c00', '#6a1b9a', '#00838f', '#4e342e', '#ad1457'];
const DAY = 86_400;

interface Occurrences {
  category: string;
  day: string;
  count: number;
}

/** Occurrences per category per day, as the monitor counted them; every day of the range has a point. */
function perDay(occurrences: Occurrences[], sinceDay: number): { times: number[]; series: ChartSeries[] } {
  const categories = [...new Set(occurrences.map((o) => o.category))].sort();
  const days = new Map<number, Map<string, number>>();
  for (const o of occurrences) {
    const day = Math.floor(Date.parse(o.day) / 1000 / DAY) * DAY;
    const counts = days.get(day) ?? new Map<string, number>();
    counts.set(o.category, (counts.get(o.category) ?? 0) + o.count);
    days.set(day, counts);
  }
  const today = Math.floor(Date.now() / 1000 / DAY) * DAY;
  const times: number[] = [];
  for (let t = sinceDay; t <= today; t += DAY) times.push(t);
  const series = categories.map((category, i) => ({
    label: category,
    color: COLORS[i % COLORS.length]!,
    values: times.map((t) => days.get(t)?.get(category) ?? 0),
  }));
  return { times, series };
}

const SINCE_DAYS = 30;

export function LogsPage() {
  const since = new Date(
    Math.floor(Date.now() / DAY / 1000) * DAY * 1000 - SINCE_DAYS * DAY * 1000,
  ).toISOString();
  const findings = useQuery<{ logFindings: Finding[]; logOccurrences: Occurrences[] }>(
    `query Findings($since: DateTime!) {
      logFindings(first: 300, since: $since) { id category fingerprint count firstSeen lastSeen files sample }
      logOccurrences(since: $since) { category day count } }`,
    { since },
  );
  const [alerts, setAlerts] = useState<Alert[]>([]);
  const isLive = useLive<{ logAlert: Alert }>(
    `subscription Alerts { logAlert { id category count threshold windowSeconds message raisedAt } }`,
    {
      next: ({ logAlert }) => {
        setAlerts((list) => [logAlert, ...list.filter((a) => a.id !== logAlert.id)].slice(0, 100));
        findings.reload();
      },
    },
  );
  const list = findings.data?.logFindings ?? [];
  const occurrences = findings.data?.logOccurrences ?? [];
  const chart = perDay(occurrences, Date.parse(since) / 1000);
  const top = [...list].sort((a, b) => b.count - a.count).slice(0, 15);
  return (
    <section aria-labelledby="logs-title">
      <header class="page-head">
        <h2 id="logs-title">Logs</h2>
        <LiveBadge live={isLive} label="alerts live" />
      </header>
      <ErrorNote error={findings.error} />
      <article>
        <h3>Occurrences per category per day (last {SINCE_DAYS} days, UTC)</h3>
        {occurrences.length === 0 ? (
          <p>No occurrences counted in this range.</p>
        ) : (
          <TimeChart label="Log occurrences per category per day" times={chart.times} series={chart.series} />
        )}
      </article>
      <article>
        <h3>Live alerts</h3>
        {alerts.length === 0 ? (
          <p>No alert since this page opened.</p>
        ) : (
          <ul data-testid="log-alerts">
            {alerts.map((a) => (
              <li key={a.id}>
                <strong>{a.category}</strong> {formatTime(a.raisedAt)}: {a.message}
              </li>
            ))}
          </ul>
        )}
      </article>
      <article>
        <h3>Top messages by fingerprint</h3>
        <div class="overflow-auto">
          <table data-testid="findings-table">
            <thead>
              <tr>
                <th scope="col">category</th>
                <th scope="col">occurrences</th>
                <th scope="col">message</th>
                <th scope="col">first seen</th>
                <th scope="col">last seen</th>
                <th scope="col">files</th>
              </tr>
            </thead>
            <tbody>
              {top.map((f) => (
                <tr key={f.id}>
                  <th scope="row">{f.category}</th>
                  <td>{formatNumber(f.count)}</td>
                  <td title={f.sample}>{f.fingerprint.replace(`${f.category} `, '')}</td>
                  <td>{formatTime(f.firstSeen)}</td>
                  <td>{formatTime(f.lastSeen)}</td>
                  <td title={f.files.join('\n')}>
                    {f.files.map((file) => file.split('/').at(-1)).join(', ')}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </article>
    </section>
  );
}
