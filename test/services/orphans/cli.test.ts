import { describe, expect, it } from 'vitest';

import { runCli } from '../../helpers/cli.ts';
import { useTestDatabase } from '../../helpers/database.ts';
import { seedPolls, seedTeams } from './helpers.ts';

const db = useTestDatabase();

describe('bpetl protection and repair', () => {
  it('switches protection off and on and reports its status', async () => {
    const env = { DATABASE_URL: db.url };
    const off = await runCli(['protection', 'disable', '--json'], env);
    expect(off.status, off.stderr).toBe(0);
    expect(JSON.parse(off.stdout)).toMatchObject({ enabled: false });
    const on = await runCli(['protection', 'enable'], env);
    expect(on.status, on.stderr).toBe(0);
    expect(on.stdout).toMatch(/^protection ON since /);
    const status = await runCli(['protection', 'status', '--json'], env);
    const parsed = JSON.parse(status.stdout) as {
      enabled: boolean;
      tables: Array<{ table: string; covered: boolean }>;
    };
    expect(parsed.enabled).toBe(true);
    expect(parsed.tables.map((x) => x.table)).toEqual(expect.arrayContaining(['polls', 'teams', 'players']));
    const bad = await runCli(['protection', 'pause'], env);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^error INVALID_INPUT: Unknown protection action "pause"/);
  });

  it('plans a repair with --dry-run and applies it without', async () => {
    await db.query(`alter table polls drop constraint polls_team_id_fkey`);
    const [old] = await seedTeams(db.query, 'cli', 1);
    const [pollId] = await seedPolls(db.query, [old!]);
    const [team] = await db.query<Record<string, unknown>>(`select * from teams where id = $1`, [old]);
    await db.query(`delete from teams where id = $1`, [old]);
    const [fresh] = await db.query<{ id: number }>(
      `insert into teams (club_id, series_id, league_id, team_name) values ($1, $2, $3, $4) returning id`,
      [team!.club_id, team!.series_id, team!.league_id, team!.team_name],
    );
    const env = { DATABASE_URL: db.url };
    const dry = await runCli(['repair', '--dry-run', '--json'], env);
    expect(dry.status, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({
      dryRun: true,
      repaired: [{ rowId: pollId, newValue: String(fresh!.id) }],
    });
    expect(await db.query(`select team_id from polls where id = $1`, [pollId])).toEqual([{ team_id: old }]);
    const real = await runCli(['repair'], env);
    expect(real.status, real.stderr).toBe(0);
    // The row and both teams in words, and how it was matched.
    expect(real.stdout).toContain(
      `poll ${pollId} of team Club cli - 1 (L_cli): re-pointed to team Club cli - 1 (L_cli), id ${fresh!.id} ` +
        '(matched on the same league, club and series)',
    );
    expect(await db.query(`select team_id from polls where id = $1`, [pollId])).toEqual([
      { team_id: fresh!.id },
    ]);
  });
});
