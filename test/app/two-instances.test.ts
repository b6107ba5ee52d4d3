import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createApp, type RunningApp } from '../../src/app/app.ts';
import { startServices } from '../../src/app/start-services.ts';
import { loadConfig } from '../../src/config.ts';
import { AppError } from '../../src/errors.ts';
import { writeLeagueFeed } from '../../src/generator/index.ts';
import { seedUserData } from '../../src/generator/user-data.ts';
import { createYogaServer, type Yoga } from '../../src/server/yoga.ts';
import { startPipeline } from '../../src/services/pipeline/run-pipeline.ts';
import { spawnCli } from '../helpers/cli.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { committed, subscribeOrphans } from '../services/orphans/helpers.ts';

/** Two service instances against one database, as DESIGN §10 runs them. */
const db = useTestDatabase();
let dir: string;
interface Instance {
  app: RunningApp;
  yoga: Yoga;
}
const instances: Instance[] = [];

async function startInstance() {
  const app = await createApp(loadConfig({}), db.url);
  await startServices(app, { loadDemoOnFirstStart: false });
  const instance = { app, yoga: createYogaServer(app) };
  instances.push(instance);
  return instance;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bpetl-scale-'));
  await writeLeagueFeed(path.join(dir, 'small'), { seed: 7, teams: 120 });
  await writeLeagueFeed(path.join(dir, 'large'), { seed: 8, teams: 3000 });
  const a = await startInstance();
  await startInstance();
  const run = await (await startPipeline(a.app, { path: path.join(dir, 'small') })).finished;
  expect(run.status, JSON.stringify(run.error)).toBe('SUCCEEDED');
  await seedUserData(db.pool, { seed: 7 });
});

afterAll(async () => {
  for (const { app } of instances) await app.close();
  await rm(dir, { recursive: true, force: true });
});

describe('two instances on one database', () => {
  it('a subscriber on either instance receives every orphan event, live, in id order', async () => {
    const [a, b] = instances as [Instance, Instance];
    // From the newest stored event on: what arrives was detected after the subscriptions opened.
    const [{ start }] = await db.query<{ start: string }>(
      `select coalesce(max(id), 0)::text as start from bpetl.orphan_events`,
    );
    const subA = await subscribeOrphans(async (u, i) => a.yoga.fetch(u, i), 'http://yoga/graphql', start);
    const subB = await subscribeOrphans(async (u, i) => b.yoga.fetch(u, i), 'http://yoga/graphql', start);
    const [{ team }] = await db.query<{ team: number }>('select min(team_id) as team from polls');
    // A legacy script: foreign keys off, then a bulk delete of a team user data points at.
    await committed(db.pool, [
      ['set local session_replication_role = replica'],
      ['delete from teams where id = $1', [team]],
    ]);
    const stored = await db.query<{ id: string; missing_ref: string; source_table: string }>(
      `select id::text, missing_ref, source_table from bpetl.orphan_events where id > $1 order by id`,
      [start],
    );
    expect(stored.length).toBeGreaterThan(1);
    expect(stored.every((e) => e.missing_ref === String(team))).toBe(true);
    expect(stored.map((e) => e.source_table)).toContain('polls');
    for (const sub of [subA, subB]) {
      const received = await sub.take(stored.length);
      // The exact sequence: no gap, no duplicate, no reordering.
      expect(received.map((e) => e.id)).toEqual(stored.map((e) => e.id));
      await sub.close();
    }
  });

  it('runPipeline on one instance while the other imports gets IMPORT_IN_PROGRESS naming the run', async () => {
    const [a, b] = instances as [Instance, Instance];
    const running = await startPipeline(a.app, {
      path: path.join(dir, 'large'),
      dryRun: true,
      allowShrink: true,
    });
    const refused = await startPipeline(b.app, { path: path.join(dir, 'small') }).then(
      () => null,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).code).toBe('IMPORT_IN_PROGRESS');
    expect((refused as AppError).message).toContain(running.run.id);
    expect((await running.finished).status).toBe('SUCCEEDED');
  });

  it('a killed instance leaves no lock and no half-written run behind', async () => {
    const before = await db.query<{ n: number }>('select count(*)::int as n from teams');
    const child = spawnCli(['import', path.join(dir, 'large'), '--allow-shrink', '--json'], {
      DATABASE_URL: db.url,
    });
    const exited = new Promise((resolve) => child.on('close', resolve));
    // Wait until its run holds the lock and is RUNNING, then kill it without warning.
    let runId: string | null = null;
    for (let i = 0; i < 600 && runId === null; i++) {
      const rows = await db.query<{ id: string }>(
        `select id::text from bpetl.pipeline_runs where status = 'RUNNING' order by id desc limit 1`,
      );
      runId = rows[0]?.id ?? null;
      if (runId === null) await new Promise((r) => setTimeout(r, 100));
    }
    expect(runId).not.toBeNull();
    child.kill('SIGKILL');
    await exited;

    const b = instances[1]!;
    // The next instance that looks marks it FAILED; the lock went with the killed session.
    let status = 'RUNNING';
    for (let i = 0; i < 100 && status === 'RUNNING'; i++) {
      const res = await b.yoga.fetch('http://yoga/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: `{ pipelineRun(id: "${runId}") { status error { code message } } }` }),
      });
      const body = (await res.json()) as { data: { pipelineRun: { status: string } } };
      expect(body).not.toHaveProperty('errors');
      status = body.data.pipelineRun.status;
      if (status === 'RUNNING') await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe('FAILED');
    expect(await db.query('select count(*)::int as n from teams')).toEqual(before);
    const next = await (
      await startPipeline(b.app, { path: path.join(dir, 'small'), allowShrink: true })
    ).finished;
    expect(next.status, JSON.stringify(next.error)).toBe('SUCCEEDED');
  });
});
