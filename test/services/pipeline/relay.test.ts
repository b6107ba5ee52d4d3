import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createApp, type RunningApp } from '../../../src/app/app.ts';
import { loadConfig } from '../../../src/config.ts';
import { TOPIC } from '../../../src/events/topics.ts';
import { writeLeagueFeed } from '../../../src/generator/index.ts';
import { createYogaServer, type Yoga } from '../../../src/server/yoga.ts';
import { startPipelineRelay } from '../../../src/services/pipeline/relay.ts';
import { startPipeline } from '../../../src/services/pipeline/run-pipeline.ts';
import { eventsAfter } from '../../../src/services/pipeline/runs.ts';
import { useTestApp } from '../../helpers/app.ts';
import { sseReader } from '../orphans/helpers.ts';

const t = useTestApp();
let other: RunningApp;
let otherYoga: Yoga;
let feed: string;

beforeAll(async () => {
  feed = await mkdtemp(path.join(os.tmpdir(), 'bpetl-listener-'));
  await writeLeagueFeed(feed, { seed: 'listener', teams: 100 });
  other = await createApp(loadConfig({}), t.db.url);
  await startPipelineRelay(other);
  otherYoga = createYogaServer(other);
});
afterAll(async () => {
  await other?.close();
  await rm(feed, { recursive: true, force: true });
});

describe('pipeline relay', () => {
  it('wakes followers on another instance through NOTIFY', async () => {
    const started = await startPipeline(t.app, { path: feed });
    const hints = other.pubsub.subscribe(TOPIC.pipeline, started.run.id)[Symbol.asyncIterator]();
    const first = await hints.next();
    await hints.return?.();
    expect(first.done).toBe(false);
    expect((await started.finished).status).toBe('SUCCEEDED');
  });

  it('pipelineProgress on another instance streams the run live, every event in order', async () => {
    const started = await startPipeline(t.app, { path: feed });
    // Through the other instance's own API, subscribed while the run is in flight.
    const response = await otherYoga.fetch('http://yoga/graphql', {
      method: 'POST',
      headers: { accept: 'text/event-stream', 'content-type': 'application/json' },
      body: JSON.stringify({
        query: `subscription ($runId: ID!) { pipelineProgress(runId: $runId) { id step status } }`,
        variables: { runId: started.run.id },
      }),
    });
    const sse = sseReader(response);
    const received: Array<{ id: string; step: string; status: string }> = [];
    try {
      for (;;) {
        const message = await sse.next<{ data?: { pipelineProgress: (typeof received)[number] } }>();
        expect(message.data, JSON.stringify(message)).toBeDefined();
        received.push(message.data!.pipelineProgress);
        const last = received.at(-1)!;
        if (last.step === 'run' && last.status !== 'RUNNING') break;
      }
    } finally {
      await sse.close();
    }
    expect((await started.finished).status).toBe('SUCCEEDED');
    const stored = await eventsAfter(t.app.db, started.run.id, null);
    expect(received.map((e) => e.id)).toEqual(stored.map((e) => e.id));
    expect(received.at(-1)).toMatchObject({ step: 'run', status: 'SUCCEEDED' });
    expect(received.filter((e) => e.status === 'DONE').map((e) => e.step)).toEqual([
      'validate',
      'snapshot',
      'repair',
      'import',
      'restore',
      'verify',
    ]);
  });
});
