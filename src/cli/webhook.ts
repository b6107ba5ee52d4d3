import { AppError } from '../errors.ts';

export interface WebhookOptions {
  /** Attempts per alert before giving up, default 8. */
  attempts?: number;
  /** First retry delay, doubled each time up to 30 s, default 500 ms. */
  baseDelayMs?: number;
  /** Per-request timeout, default 10 s: a hanging receiver must not stall the stream forever. */
  timeoutMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * POSTs one alert as JSON, retrying network failures, timeouts, 429 and 5xx with exponential
 * backoff. Any other status is the receiver refusing the alert: retrying would not help.
 */
export async function postWebhook(url: string, body: unknown, options: WebhookOptions = {}): Promise<void> {
  const attempts = options.attempts ?? 8;
  let last = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      await response.body?.cancel();
      if (response.ok) return;
      last = `HTTP ${response.status}`;
      if (response.status !== 429 && response.status < 500) break;
    } catch (err) {
      last = (err as Error).message;
    }
    if (attempt < attempts) await sleep(Math.min((options.baseDelayMs ?? 500) * 2 ** (attempt - 1), 30_000));
  }
  throw new AppError('INVALID_INPUT', `Webhook ${url} did not accept the alert: ${last}`, {
    field: 'webhook',
  });
}
