/**
 * Subscribes to orphanDetected over SSE and records, per row id, when its event was read.
 * Shared by the latency and load benches; `cancel` ends the stream.
 */
export async function subscribeOrphansOverSse(endpoint: string, received: Map<number, number>) {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { accept: 'text/event-stream', 'content-type': 'application/json' },
    body: JSON.stringify({
      query: 'subscription ($after: ID) { orphanDetected(after: $after) { id rowId } }',
      variables: { after: '0' },
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
        const data = buffer
          .slice(0, end)
          .split('\n')
          .find((l) => l.startsWith('data:'));
        buffer = buffer.slice(end + 2);
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
