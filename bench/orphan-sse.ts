import type pg from 'pg';

/**
 * Subscribes to orphanDetected over SSE and records, per row id, when its event was read.
 * Shared by the latency and load benches; `cancel` ends the stream.
 */
export async function subscribeOrphansOverSse(endpoint: string, received: Map<number, number>, after = '0') {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { accept: 'text/event-stream', 'content-type': 'application/json' },
    body: JSON.stringify({
      query: 'subscription ($after: ID) { orphanDetected(after: $after) { id rowId } }',
      variables: { after },
    }),
  });
  const reader = response.body!.getReader();
  const reading = (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      const now = performance.now();
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const lines = buffer.slice(0, end).split('\n');
        buffer = buffer.slice(end + 2);
        if (lines.includes('event: complete')) {
          process.stderr.write('an SSE subscription was completed by the server\n');
          return;
        }
        const data = lines.find((l) => l.startsWith('data:'));
        const event = data && JSON.parse(data.slice(5)).data?.orphanDetected;
        if (event) received.set(Number(event.rowId), now);
      }
    }
  })();
  return {
    async cancel() {
      await reader.cancel().catch(() => undefined);
      await reading.catch(() => undefined);
    },
  };
}

/**
 * Commits `perStatement` dangling polls per statement at `rate` events a second for `seconds`,
 * paced against the schedule (not the previous statement) so slow commits do not lower the rate.
 * Returns, per poll id, when its statement was sent and when its commit was acknowledged.
 */
export async function produceOrphans(
  pool: pg.Pool,
  options: { rate: number; seconds: number; perStatement: number },
): Promise<{ sentAt: Map<number, number>; committedAt: Map<number, number>; started: number }> {
  const committedAt = new Map<number, number>();
  const sentAt = new Map<number, number>();
  const statements = (options.rate / options.perStatement) * options.seconds;
  const intervalMs = (1000 * options.perStatement) / options.rate;
  const started = performance.now();
  const inFlight: Array<Promise<void>> = [];
  for (let i = 0; i < statements; i++) {
    const wait = started + i * intervalMs - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const sent = performance.now();
    inFlight.push(
      pool
        .query<{ id: number }>(
          `insert into polls (team_id, question) select 5000000 + g, 'orphan' from generate_series(1, $1) g returning id`,
          [options.perStatement],
        )
        .then(({ rows }) => {
          const at = performance.now();
          for (const r of rows) {
            committedAt.set(r.id, at);
            sentAt.set(r.id, sent);
          }
        }),
    );
  }
  await Promise.all(inFlight);
  return { sentAt, committedAt, started };
}
