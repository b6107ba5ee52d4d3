// 100 concurrent SSE subscribers of orphanDetected on a real `bpetl serve` process while 1,000
// orphan events per second are committed for 60 s. Every subscriber must receive every event.
// Reports p50/p99 latency (COMMIT → received) over all subscribers, the server's resident memory
// sampled every second (first and last thirds after warm-up) and the server's CPU time per 1,000
// deliveries. Runs twice on the same database: with shared results (the default: one execution
// per event and distinct selection) and with BPETL_SHARED_SUBSCRIPTIONS=false (one per subscriber,
// the baseline), and prints their ratios.
// Run: npx tsx bench/sse-load.ts [subscribers] [eventsPerSecond] [seconds]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import type pg from 'pg';

import { percentile, withBenchDatabase } from './orphan-bench-db.ts';
import { produceOrphans, subscribeOrphansOverSse } from './orphan-sse.ts';

const SUBSCRIBERS = Number(process.argv[2] ?? 100);
const RATE = Number(process.argv[3] ?? 1000);
const SECONDS = Number(process.argv[4] ?? 60);
const PER_STATEMENT = 10;
const WARMUP_SECONDS = 10;
/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in 1/100 s. */
const TICKS_PER_SECOND = 100;

function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m);
  return line ? Number(line[1]) / 1024 : Number.NaN;
}

/** User + system CPU seconds the process has used. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

async function startServer(url: string, shared: boolean) {
  const server = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(import.meta.dirname, '../src/cli/main.ts'), 'serve'],
    {
      env: {
        ...process.env,
        DATABASE_URL: url,
        PORT: '0',
        LOG_LEVEL: 'warn',
        BPETL_SHARED_SUBSCRIPTIONS: String(shared),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const endpoint = await new Promise<string>((resolve, reject) => {
    let out = '';
    server.stdout!.on('data', (d) => {
      out += d;
      const match = /open GraphiQL at (\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    server.on('close', (code, signal) => reject(new Error(`server exited with ${code ?? signal}`)));
  });
  server.on('close', (code, signal) => process.stderr.write(`server exited: ${code ?? signal}\n`));
  return {
    endpoint,
    pid: server.pid!,
    async stop() {
      server.kill('SIGTERM');
      await new Promise((r) => server.on('close', r));
    },
  };
}

async function measure(url: string, pool: pg.Pool, shared: boolean) {
  const [{ after }] = (
    await pool.query<{ after: string }>(`select coalesce(max(id), 0)::text as after from bpetl.orphan_events`)
  ).rows as [{ after: string }];
  const server = await startServer(url, shared);
  try {
    const received = Array.from({ length: SUBSCRIBERS }, () => new Map<number, number>());
    const streams = await Promise.all(
      received.map((seen) => subscribeOrphansOverSse(server.endpoint, seen, after)),
    );
    const memory: number[] = [];
    const sampler = setInterval(() => memory.push(rssMb(server.pid)), 1000);
    const cpuBefore = cpuSeconds(server.pid);
    const { committedAt, started } = await produceOrphans(pool, {
      rate: RATE,
      seconds: SECONDS,
      perStatement: PER_STATEMENT,
    });
    const elapsed = (performance.now() - started) / 1000;
    // Late is not lost: keep draining while deliveries still arrive, give up after 60 s without progress
    // (a batch of 1,000 events for 100 subscribers is delivered in one burst, seconds long on a busy machine).
    let delivered = -1;
    for (let idle = 0; idle < 600 && received.some((s) => s.size < committedAt.size); idle++) {
      const now = received.reduce((n, s) => n + s.size, 0);
      if (now !== delivered) idle = 0;
      delivered = now;
      await new Promise((r) => setTimeout(r, 100));
    }
    const cpu = cpuSeconds(server.pid) - cpuBefore;
    clearInterval(sampler);
    await Promise.all(streams.map((stream) => stream.cancel()));

    const latencies: number[] = [];
    let missing = 0;
    for (const seen of received) {
      for (const [id, at] of committedAt) {
        const got = seen.get(id);
        if (got === undefined) missing++;
        else latencies.push(got - at);
      }
    }
    latencies.sort((a, b) => a - b);
    const steady = memory.slice(WARMUP_SECONDS);
    const third = Math.max(1, Math.floor(steady.length / 3));
    const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    return {
      mode: shared ? 'shared' : 'per-subscriber',
      subscribers: SUBSCRIBERS,
      events: committedAt.size,
      achievedRate: Math.round(committedAt.size / elapsed),
      deliveries: latencies.length,
      missing,
      p50Ms: Number(percentile(latencies, 50).toFixed(2)),
      p99Ms: Number(percentile(latencies, 99).toFixed(2)),
      maxMs: Number(latencies.at(-1)!.toFixed(2)),
      serverCpuSeconds: Number(cpu.toFixed(2)),
      serverCpuMsPer1000Deliveries: Number(((cpu * 1e6) / Math.max(1, latencies.length)).toFixed(1)),
      serverRssMb: {
        afterWarmup: Number(avg(steady.slice(0, third)).toFixed(1)),
        end: Number(avg(steady.slice(-third)).toFixed(1)),
        peak: Number(Math.max(...memory).toFixed(1)),
      },
    };
  } finally {
    await server.stop();
  }
}

await withBenchDatabase(async (url, pool) => {
  await pool.query(`alter table polls drop constraint polls_team_id_fkey`);
  const baseline = await measure(url, pool, false);
  process.stdout.write(`${JSON.stringify(baseline)}\n`);
  const shared = await measure(url, pool, true);
  process.stdout.write(`${JSON.stringify(shared)}\n`);
  const ratio = (a: number, b: number) => Number((a / b).toFixed(2));
  process.stdout.write(
    `${JSON.stringify({
      sharedVsPerSubscriber: {
        serverCpuPerDelivery: ratio(
          shared.serverCpuMsPer1000Deliveries,
          baseline.serverCpuMsPer1000Deliveries,
        ),
        p99: ratio(shared.p99Ms, baseline.p99Ms),
      },
    })}\n`,
  );
  if (baseline.missing + shared.missing > 0) process.exitCode = 1;
});
