import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { openLeagueFeed } from '../../src/sources/index.ts';
import { tempDir } from './helpers.ts';

const TEAMS = 200_000;

/** Write a series_stats.json of `count` distinct CITA teams through a stream, never as one string. */
async function writeLargeFeed(dir: string, count: number, tail = ']'): Promise<void> {
  const out = createWriteStream(join(dir, 'series_stats.json'));
  out.write('[');
  for (let i = 0; i < count; i++) {
    const row = {
      series: `Series ${i % 50} Open`,
      team: `Club ${Math.floor(i / 50)} - Racquet`,
      league_id: 'CITA',
      points: i % 7,
      matches: { won: '3', lost: 2, tied: 0, percentage: '60.0%' },
      lines: { won: 12, lost: 8, for: 0, ret: 0, percentage: '60.0%' },
      sets: { won: 20, lost: 15, percentage: '57.1%' },
      games: { won: 150, lost: 120, percentage: '55.6%' },
      source_league: 'CITA',
    };
    if (!out.write(`${i ? ',\n' : ''}${JSON.stringify(row)}`)) await once(out, 'drain');
  }
  out.end(tail);
  await once(out, 'finish');
}

describe('a large feed', () => {
  it(`streams ${TEAMS.toLocaleString('en')} teams without holding the file in memory`, async () => {
    const dir = tempDir('large');
    await writeLargeFeed(dir, TEAMS);
    const source = await openLeagueFeed(dir);
    global.gc?.();
    const baseline = process.memoryUsage().heapUsed;
    let peak = 0;
    let teams = 0;
    let stats = 0;
    for await (const item of source.items()) {
      if (item.kind === 'team') teams++;
      else if (item.kind === 'stats') stats++;
      else throw new Error(`unexpected ${item.kind}`);
      if (teams % 10_000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed - baseline);
    }
    expect(teams).toBe(TEAMS);
    expect(stats).toBe(TEAMS);
    expect(source.summary().rejections).toBe(0);
    // The file is ~60 MB; holding it and its parsed records would take several times that. What is
    // kept is one key per team for de-duplication (two sets of 200k short strings).
    expect(peak).toBeLessThan(120 * 1024 * 1024);
  });

  it('yields records before reaching a malformed end of the file', async () => {
    const dir = tempDir('large-broken');
    await writeLargeFeed(dir, 20_000, ',\n{"team": }]');
    const source = await openLeagueFeed(dir);
    let teams = 0;
    await expect(
      (async () => {
        for await (const item of source.items()) if (item.kind === 'team') teams++;
      })(),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT', details: { position: { line: 20_001, column: 10 } } });
    expect(teams).toBe(20_000);
  });
});
