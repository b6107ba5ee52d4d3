const dateTime = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});
const number = new Intl.NumberFormat();

export function formatTime(iso: string | null | undefined): string {
  return iso ? dateTime.format(new Date(iso)) : '—';
}

export function formatNumber(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : number.format(value);
}

/** 1.2 s, 3 min 4 s, 2 h 5 min: precise enough to compare runs at a glance. */
export function formatDuration(fromIso: string | null, toIso: string | null, now = Date.now()): string {
  if (!fromIso) return '—';
  const ms = (toIso ? Date.parse(toIso) : now) - Date.parse(fromIso);
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

type Key = Record<string, unknown>;

/** Where the vanished row sat, as words: `club Tennaqua, series Chicago 22, league APTA_CHICAGO`. */
function place(key: Key): string {
  return (['club', 'series', 'league'] as const)
    .filter((part) => key[part])
    .map((part) => `${part} ${text(key[part])}`)
    .join(', ');
}

/** The vanished target's natural key in words, e.g. `team "Tennaqua - 22" (club Tennaqua, …)`. */
export function describeKey(targetTable: string, context: unknown, missingRef: string): string {
  if (!context || typeof context !== 'object') {
    return `${targetTable} row ${missingRef}, which no longer exists (its natural key was not recorded)`;
  }
  const key = context as Key;
  if (targetTable === 'teams') {
    const alias = key.teamAlias ? `, also "${text(key.teamAlias)}"` : '';
    return `team "${text(key.teamName)}"${alias} (${place(key)})`;
  }
  if (targetTable === 'players') {
    const name = [key.firstName, key.lastName].filter(Boolean).map(text).join(' ');
    return `player ${name || 'without a name'} (id ${text(key.externalId)}, ${place(key)})`;
  }
  if (targetTable === 'series') return `series "${text(key.series)}" (league ${text(key.league)})`;
  const fields = Object.entries(key)
    .filter(([, value]) => value !== null && value !== '')
    .map(([field, value]) => `${field} ${text(value)}`);
  return `${targetTable} row (${fields.join(', ')})`;
}

function text(value: unknown): string {
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
