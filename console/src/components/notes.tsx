import type { ApiError } from '../api.ts';

export function ErrorNote({ error }: { error: ApiError | null }) {
  if (!error) return null;
  if (error.code === 'GRAPHQL_VALIDATION_FAILED') {
    return <p class="muted">Not available from this server's API ({error.message}).</p>;
  }
  return (
    <p class="error" role="alert">
      <strong>{error.code}</strong>: {error.message}
    </p>
  );
}

export function LiveBadge({ live, label = 'live' }: { live: boolean; label?: string }) {
  return (
    <span class={live ? 'badge live' : 'badge offline'} aria-live="polite" data-testid="live-badge">
      {live ? `● ${label}` : '○ reconnecting'}
    </span>
  );
}

const STATUS_CLASS: Record<string, string> = {
  HEALTHY: 'ok',
  SUCCEEDED: 'ok',
  DEGRADED: 'warn',
  RUNNING: 'info',
  QUEUED: 'info',
  ROLLED_BACK: 'warn',
  CANCELLED: 'warn',
  CRITICAL: 'bad',
  FAILED: 'bad',
};

export function Status({ value }: { value: string }) {
  return <span class={`status ${STATUS_CLASS[value] ?? ''}`}>{value}</span>;
}
