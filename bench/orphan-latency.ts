// End-to-end latency from COMMIT to an SSE subscriber of orphanDetected, at 1,000 events/s for
// 30 s (10 events per statement every 10 ms). Target p99 ≤ 20 ms.
// Run: npx tsx bench/orphan-latency.ts [eventsPerSecond] [seconds]
import { createApp } from '../src/app/app.ts';
import { loadConfig } from '../src/config.ts';
import { startHttpServer } from '../src/server/http.ts';
import { startOrphanListener } from '../src/services/orphans/listener.ts';
import { percentile, withBenchDatabase } from './orphan-bench-db.ts';
import { produceOrphans, subscribeOrphansOverSse } from './orphan-sse.ts';

const RATE = Number(process.argv[2] ?? 1000);
const SECONDS = Number(process.argv[3] ?? 30);
const PER_STATEMENT = 10;

await withBenchDatabase(async (url, pool) => {
  await pool.query(`alter table polls drop constraint polls_team_id_fkey`);
  const app = await createApp(loadConfig({}), url);
  const listener = await startOrphanListener(app, {
    resolveIntervalMs: Number(process.env.RESOLVE_MS ?? 2000),
  });
  const http = await startHttpServer(app, { port: 0, host: '127.0.0.1' });
  try {
    const received = new Map<number, number>();
    const stream = await subscribeOrphansOverSse(http.url, received);

    const { sentAt, committedAt, started } = await produceOrphans(pool, {
      rate: RATE,
      seconds: SECONDS,
      perStatement: PER_STATEMENT,
    });
    const total = committedAt.size;
    const deadline = performance.now() + 10_000;
    while (received.size < total && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    // Two anchors bracket the true COMMIT → subscriber time: the commit's acknowledgement reaches
    // this process after the server committed (an underestimate; the event can even arrive first),
    // and the statement's send precedes the commit by its execution time (an overestimate).
    const latencies = (from: Map<number, number>) =>
      [...from].map(([id, at]) => Math.max(0, (received.get(id) ?? Infinity) - at)).sort((a, b) => a - b);
    const fromAck = latencies(committedAt);
    const fromSend = latencies(sentAt);
    const elapsed = (Math.max(...committedAt.values()) - started) / 1000;
    const round = (n: number) => Number(n.toFixed(2));
    const result = {
      events: total,
      received: received.size,
      achievedRate: Math.round(total / elapsed),
      fromCommitAck: { p50Ms: round(percentile(fromAck, 50)), p99Ms: round(percentile(fromAck, 99)) },
      fromStatementSent: {
        p50Ms: round(percentile(fromSend, 50)),
        p99Ms: round(percentile(fromSend, 99)),
        maxMs: round(fromSend.at(-1)!),
      },
      target: 'p99 ≤ 20 ms',
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
    await stream.cancel();
  } finally {
    await http.close();
    await listener.close();
    await app.close();
  }
});
