import { readFile } from 'node:fs/promises';

import { AppError } from '../errors.ts';
import { createClassifier } from './classifier.ts';
import type { LogPattern } from './types.ts';

/**
 * Configured patterns from JSON: `{ "CATEGORY": "regex", … }` or `[{ "category", "pattern" }, …]`.
 * Each is checked (name and regex) so a bad one fails with its place, before any scan starts.
 */
export function parseLogPatterns(json: string, source = 'log patterns'): LogPattern[] {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (err) {
    throw new AppError('INVALID_INPUT', `${source} is not valid JSON: ${(err as Error).message}`, { source });
  }
  if (value === null || typeof value !== 'object') {
    throw new AppError('INVALID_INPUT', `${source} must be an object or an array of {category, pattern}`, {
      source,
    });
  }
  const list: unknown[] = Array.isArray(value)
    ? value
    : Object.entries(value).map(([category, pattern]) => ({ category, pattern }));
  const patterns = list.map((item, i): LogPattern => {
    const p = item as Partial<LogPattern> | null;
    if (typeof p?.category !== 'string' || typeof p.pattern !== 'string') {
      throw new AppError(
        'INVALID_INPUT',
        `${source}, entry ${i}: needs a string category and a string pattern`,
        {
          source,
          index: i,
        },
      );
    }
    return { category: p.category, pattern: p.pattern };
  });
  createClassifier(patterns);
  return patterns;
}

/** Reads configured patterns from a JSON file (see parseLogPatterns). */
export async function loadLogPatterns(file: string): Promise<LogPattern[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new AppError(
      'SOURCE_UNREADABLE',
      `Cannot read log patterns from ${file}: ${(err as Error).message}`,
      {
        file,
      },
    );
  }
  return parseLogPatterns(text, file);
}
