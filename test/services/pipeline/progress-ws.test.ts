import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

import { writeLeagueFeed } from '../../../src/generator/index.ts';
import { type HttpServer, startHttpServer } from '../../../src/server/http.ts';
import { startPipeline } from '../../../src/services/pipeline/run-pipeline.ts';
import { useTestApp } from '../../helpers/app.ts';

const t = useTestApp();
let http: HttpServer;
let feed: string;

beforeAll(async () => {
  feed = await mkdtemp(path.join(os.tmpdir(), 'bpetl-ws-'));
  await writeLeagueFeed(feed, { seed: 'ws', teams: 2000, compact: true });
  http = await startHttpServer(t.app, { port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await http?.close();
  await rm(feed, { recursive: true, force: true });
});

interface Event {
  id: string;
  step: string;
  status: string;
}

describe('pipelineProgress over graphql-ws', () => {
  it('streams a run live while its transaction is open, then completes', async () => {
    const started = await startPipeline(t.app, { path: feed });
    const ws = createClient({ url: http.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, lazy: false });
    const events: Event[] = [];
    // Whether the run's data was visible to another session when each event arrived.
    const teamsSeen: number[] = [];
    try {
      await new Promise<void>((resolve, reject) => {
        ws.subscribe<{ pipelineProgress: Event }>(
          {
            query: `subscription ($runId: ID!) { pipelineProgress(runId: $runId) { id step status } }`,
            variables: { runId: started.run.id },
          },
          {
            next: (message) => {
              if (!message.data) return reject(new Error(JSON.stringify(message)));
              events.push(message.data.pipelineProgress);
              if (message.data.pipelineProgress.step === 'import') {
                void t.db
                  .query<{ n: number }>('select count(*)::int as n from teams')
                  .then(([row]) => teamsSeen.push(row!.n));
              }
            },
            error: reject,
            complete: resolve,
          },
        );
      });
    } finally {
      await ws.dispose();
    }
    expect(events.at(-1)).toMatchObject({ step: 'run', status: 'SUCCEEDED' });
    expect(events.some((e) => e.step === 'import' && e.status === 'PROGRESS')).toBe(true);
    // Events arrived while the import was still uncommitted: other sessions saw no team yet.
    expect(teamsSeen[0]).toBe(0);
    expect((await started.finished).status).toBe('SUCCEEDED');
  });
});
