// Parsers for the scalar formats feeds use. Each returns undefined when the value is not of the format.

/** `01/09/2025` (the scrapers' MM/DD/YYYY) or ISO `2025-01-09` → `2025-01-09`; impossible dates → undefined. */
export function parseFeedDate(value: string): string | undefined {
  const us = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(value);
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const parts = us ? [+us[3], +us[1], +us[2]] : iso ? [+iso[1], +iso[2], +iso[3]] : null;
  if (!parts) return undefined;
  const [year, month, day] = parts;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    return undefined;
  }
  return `${String(year).padStart(4, '0')}-${pad(month)}-${pad(day)}`;
}

/** `09:00 am`, `10:30 AM`, `6:30pm`, `18:30` → 24-hour `hh:mm`; empty → null. */
export function parseFeedTime(value: string): string | null | undefined {
  if (value === '') return null;
  const match = /^(\d{1,2}):(\d{2})(?::\d{2})?\s*([ap])?\.?\s*(?:m\.?)?$/i.exec(value);
  if (!match) return undefined;
  let hour = +match[1];
  const minute = +match[2];
  const half = match[3]?.toLowerCase();
  if (minute > 59) return undefined;
  if (half) {
    if (hour < 1 || hour > 12) return undefined;
    hour = (hour % 12) + (half === 'p' ? 12 : 0);
  } else if (hour > 23) {
    return undefined;
  }
  return `${pad(hour)}:${pad(minute)}`;
}

/** A non-negative whole number from a number or a digit string (`"17"`); empty → 0. */
export function parseCount(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return 0;
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  if (typeof value === 'string' && /^\s*\d{1,15}\s*$/.test(value)) return Number(value);
  return undefined;
}

/** A rating: a number, a numeric string, or `N/A` / empty → null. */
export function parseRating(value: unknown): number | null | undefined {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (text === '' || /^n\/?a$/i.test(text) || text === '-') return null;
  return /^-?\d{1,6}(?:\.\d+)?$/.test(text) ? Number(text) : undefined;
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}
