import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createApp, type RunningApp } from '../../../src/app/app.ts';
import { loadConfig } from '../../../src/config.ts';
import { TOPIC } from '../../../src/events/topics.ts';
import { writeLeagueFeed } from '../../../src/generator/index.ts';
import { startPipelineRelay } from '../../../src/services/pipeline/relay.ts';
import { startPipeline } from '../../../src/services/pipeline/run-pipeline.ts';
import { useTestApp } from '../../helpers/app.ts';

const t = useTestApp();
let other: RunningApp;
let feed: string;

beforeAll(async () => {
  feed = await mkdtemp(path.join(os.tmpdir(), 'bpetl-listener-'));
  await writeLeagueFeed(feed, { seed: 'listener', teams: 100 });
  other = await createApp(loadConfig({}), t.db.url);
  await startPipelineRelay(other);
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
});
