import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { AppError } from '../../src/errors.ts';
import { openLeagueFeed } from '../../src/sources/index.ts';
import { collect, fixtureRow, playerRow, statsRow, tempDir, writeFeed } from './helpers.ts';

async function readError(dir: string): Promise<AppError> {
  try {
    await collect(await openLeagueFeed(dir));
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }
  throw new Error('expected the feed to fail');
}

async function rejectionsOf(files: Record<string, unknown>) {
  return (await collect(await openLeagueFeed(writeFeed(files)))).rejections;
}

describe('file-level failures', () => {
  it('a directory with none of the feed files is not a feed', async () => {
    const dir = writeFeed({ 'notes.txt': 'hello' });
    const err = await readError(dir);
    expect(err.code).toBe('SOURCE_UNREADABLE');
    expect(err.message).toMatch(/not a league feed.*series_stats\.json, players\.json, schedules\.json/);
  });

  it('a path that does not exist', async () => {
    const err = await readError(join(tempDir(), 'missing'));
    expect(err.code).toBe('SOURCE_UNREADABLE');
    expect(err.message).toMatch(/does not exist/);
  });

  it('malformed JSON names the file, line, column and byte', async () => {
    const dir = writeFeed({ 'series_stats.json': '[\n  {"team": "Oakmere S1", "series": "Series 1",}\n]' });
    const err = await readError(dir);
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toMatch(
      /^series_stats\.json: malformed JSON at line 2, column 47 \(byte 48\): expected a quoted key/,
    );
    expect(err.details).toMatchObject({
      file: 'series_stats.json',
      position: { line: 2, column: 47, offset: 48 },
    });
  });

  it('a file cut off mid-record', async () => {
    const dir = writeFeed({ 'players.json': '[{"League": "NSTF", "Player ID": "x' });
    const err = await readError(dir);
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toMatch(/players\.json: malformed JSON .*unexpected end of file/);
  });

  it('a top level that is not an array', async () => {
    const err = await readError(writeFeed({ 'schedules.json': '  {"date": "01/09/2025"}' }));
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toBe('schedules.json: the top level is an object, expected an array of records');
    expect(err.details).toMatchObject({ file: 'schedules.json', position: { line: 1, column: 3 } });
  });

  it('an empty file', async () => {
    const err = await readError(writeFeed({ 'series_stats.json': '' }));
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toBe('series_stats.json is empty');
  });

  it('a directory where a feed file should be', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'players.json'));
    const err = await readError(dir);
    expect(err.code).toBe('SOURCE_UNREADABLE');
    expect(err.message).toBe('players.json is a directory, expected a JSON file');
  });

  it.skipIf(process.getuid?.() === 0)('an unreadable file', async () => {
    const dir = writeFeed({ 'series_stats.json': '[]' });
    chmodSync(join(dir, 'series_stats.json'), 0o000);
    const err = await readError(dir);
    expect(err.code).toBe('SOURCE_UNREADABLE');
    expect(err.message).toMatch(/permission denied/);
  });

  it('a path that is a file, not a directory', async () => {
    const dir = writeFeed({ 'series_stats.json': '[]' });
    const err = await readError(join(dir, 'series_stats.json'));
    expect(err.code).toBe('SOURCE_UNREADABLE');
    expect(err.message).toMatch(/is not a directory/);
  });

  it('an unknown league in the leagues option', async () => {
    const dir = writeFeed({ 'series_stats.json': '[]' });
    await expect(openLeagueFeed(dir, { leagues: ['NSTF', 'BOSTON'] })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message:
        'unknown league "BOSTON" in the leagues option: known leagues are APTA_CHICAGO (or APTA), NSTF (or NSFT), CNSWPL, CITA; ' +
        'case, spaces and punctuation do not matter (apta-chicago is APTA_CHICAGO)',
    });
  });

  it('a source is read once', async () => {
    const source = await openLeagueFeed(writeFeed({ 'series_stats.json': '[]' }));
    await collect(source);
    expect(() => source.items()).toThrow(/read once/);
  });
});

describe('record-level rejections: the record is skipped, the run goes on', () => {
  it('a record that is not an object', async () => {
    const rejections = await rejectionsOf({
      'series_stats.json': [statsRow('NSTF', 'Series 1', 'Oakmere S1'), 'oops', [1]],
    });
    expect(rejections).toEqual([
      {
        file: 'series_stats.json',
        index: 1,
        field: '',
        reason: 'record is "oops", expected an object',
        value: 'oops',
      },
      {
        file: 'series_stats.json',
        index: 2,
        field: '',
        reason: 'record is an array, expected an object',
        value: '[1]',
      },
    ]);
  });

  it('an unknown league', async () => {
    const rejections = await rejectionsOf({
      'series_stats.json': [statsRow('APTA_BOSTON', 'Series 1', 'Oakmere')],
    });
    expect(rejections).toEqual([
      expect.objectContaining({
        index: 0,
        field: 'league_id',
        reason: expect.stringMatching(/not a known league/),
        value: 'APTA_BOSTON',
      }),
    ]);
  });

  it('a missing or empty required field', async () => {
    const { team: _team, ...noTeam } = statsRow('NSTF', 'Series 1', 'x');
    const rejections = await rejectionsOf({
      'series_stats.json': [noTeam, statsRow('NSTF', 'Series 1', '   ')],
      'players.json': [playerRow('NSTF', 'Series 1', 'Oakmere S1', 'Oakmere', { 'Player ID': '' })],
    });
    expect(rejections.map((r) => [r.file, r.index, r.field, r.reason])).toEqual([
      ['series_stats.json', 0, 'team', 'is missing'],
      ['series_stats.json', 1, 'team', 'is empty'],
      ['players.json', 0, 'Player ID', 'is empty'],
    ]);
  });

  it('wrong types', async () => {
    const rejections = await rejectionsOf({
      'series_stats.json': [
        statsRow('NSTF', 'Series 1', 42 as unknown as string, { matches: { won: 'many' } }),
      ],
      'players.json': [playerRow('NSTF', 'Series 1', 'Oakmere S1', 'Oakmere', { 'Player ID': 7 })],
    });
    expect(rejections.map((r) => [r.file, r.field, r.reason])).toEqual([
      ['series_stats.json', 'team', 'is number 42, expected a string'],
      ['series_stats.json', 'matches.won', 'is "many", expected a whole number ≥ 0'],
      ['players.json', 'Player ID', 'is number 7, expected a string'],
    ]);
  });

  it('a player value that cannot be read is stored as null or 0 and counted, never a rejection', async () => {
    const source = await openLeagueFeed(
      writeFeed({
        'players.json': [
          playerRow('NSTF', 'Series 1', 'Oakmere S1', 'Oakmere', { PTI: 'high', Wins: -1, Losses: 2.5 }),
          playerRow('NSTF', 'Series 1', 'Oakmere S1', 'Oakmere', {
            'Player ID': 'p2',
            PTI: 'low',
            Captain: 'X',
          }),
        ],
      }),
    );
    const { rejections, players } = await collect(source);
    expect(rejections).toEqual([]);
    expect(players.map((p) => [p.pti, p.wins, p.losses, p.captainRole])).toEqual([
      [null, 0, 0, null],
      [null, 3, 1, null],
    ]);
    expect(
      source
        .summary()
        .warnings.map((w) => [w.code, w.file, w.league, w.count, w.sample, w.action])
        .sort(),
    ).toEqual([
      ['VALUE_UNREADABLE', 'players.json', 'NSTF', 1, 'record 0: Losses is number 2.5', 'stored as 0'],
      ['VALUE_UNREADABLE', 'players.json', 'NSTF', 1, 'record 0: Wins is number -1', 'stored as 0'],
      ['VALUE_UNREADABLE', 'players.json', 'NSTF', 1, 'record 1: Captain is "X"', 'stored as null'],
      ['VALUE_UNREADABLE', 'players.json', 'NSTF', 2, 'record 0: PTI is "high"', 'stored as null'],
    ]);
    expect(source.summary().warnings.find((w) => w.sample.includes('PTI'))!.message).toBe(
      '2 NSTF player records have a PTI that cannot be read: stored as null',
    );
  });

  it('captain marks in every spelling, any case; extra keys and the newer format are read', async () => {
    const marks = ['C', 'cc', 'Yes', 'y', 'TRUE', 'No', 'n', 'false', '', 'yes '];
    const records = marks.map((Captain, i) => {
      const base = playerRow('NSTF', 'Series 1', 'Oakmere S1', 'Oakmere', { 'Player ID': `p${i}`, Captain });
      if (i % 2 === 0) return base;
      // The newer format: `Team` instead of `Series Mapping ID`, and keys the reader does not use.
      const { 'Series Mapping ID': team, ...rest } = base as Record<string, unknown>;
      return {
        ...rest,
        Team: team,
        'Source URL': `https://example.test/${'x'.repeat(300)}`,
        validation_issues: [{ deep: { deeper: { deepest: { at: 'x'.repeat(500) } } } }],
      };
    });
    const source = await openLeagueFeed(writeFeed({ 'players.json': records }));
    const { rejections, players } = await collect(source);
    expect(rejections).toEqual([]);
    expect(players.map((p) => p.captainRole)).toEqual([
      'captain',
      'co-captain',
      'captain',
      'captain',
      'captain',
      null,
      null,
      null,
      null,
      'captain',
    ]);
    expect(new Set(players.map((p) => p.team))).toEqual(new Set(['Oakmere S1']));
    expect(source.summary().warnings).toEqual([]);
  });

  it('an oversize value', async () => {
    const long = 'x'.repeat(201);
    const rejections = await rejectionsOf({ 'series_stats.json': [statsRow('NSTF', 'Series 1', long)] });
    expect(rejections).toEqual([
      expect.objectContaining({ field: 'team', reason: 'is 201 characters long, the limit is 200' }),
    ]);
    expect(rejections[0].value.length).toBeLessThanOrEqual(80);
  });

  it('control characters, escaped or raw (DEL and C1 controls may appear raw in JSON)', async () => {
    const rejections = await rejectionsOf({
      'players.json': [
        playerRow('NSTF', 'Series 1', 'Oakmere S1', 'Oakmere', { 'Last Name': 'Love\u0000lace' }),
        playerRow('NSTF', 'Series 1', 'Oakmere S1', 'Oakmere', { 'First Name': 'Ada\u0085' }),
        playerRow('NSTF', 'Series 1', 'Oakmere S1', 'Oakmere', { 'First Name': 'Ada\u007f' }),
      ],
    });
    expect(rejections).toEqual([
      expect.objectContaining({
        index: 0,
        field: 'Last Name',
        reason: 'value holds a NUL character, which PostgreSQL cannot store',
        value: 'Love\\0lace',
      }),
      expect.objectContaining({ index: 1, field: 'First Name', reason: 'contains control characters' }),
      expect.objectContaining({ index: 2, field: 'First Name', reason: 'contains control characters' }),
    ]);
  });

  it('an impossible date or time', async () => {
    const rejections = await rejectionsOf({
      'schedules.json': [
        fixtureRow('NSTF', 'Oakmere S1 - Series 1', 'Pine S1 - Series 1', { date: '02/30/2025' }),
        fixtureRow('NSTF', 'Oakmere S1 - Series 1', 'Pine S1 - Series 1', { time: '25:00' }),
        fixtureRow('NSTF', 'Oakmere S1 - Series 1', 'Pine S1 - Series 1', { date: 'next tuesday' }),
      ],
    });
    expect(rejections.map((r) => [r.index, r.field])).toEqual([
      [0, 'date'],
      [1, 'time'],
      [2, 'date'],
    ]);
  });

  it('a team whose series cannot be told', async () => {
    const rejections = await rejectionsOf({ 'series_stats.json': [statsRow('CITA', '', 'Oakmere')] });
    expect(rejections).toEqual([
      expect.objectContaining({ field: 'series', reason: expect.stringMatching(/series is missing/) }),
    ]);
  });

  it('a fixture between two byes', async () => {
    const rejections = await rejectionsOf({
      'schedules.json': [fixtureRow('APTA_CHICAGO', 'BYE - 1', 'BYE - 1')],
    });
    expect(rejections.map((r) => [r.file, r.field, r.reason])).toEqual([
      ['schedules.json', 'home_team', 'both sides of the fixture are byes'],
    ]);
  });

  it('a player that names no team, or no player id, or no name', async () => {
    const rejections = await rejectionsOf({
      'players.json': [
        playerRow('NSTF', 'Series 1', '', '', { 'Player ID': 'p1' }),
        playerRow('NSTF', 'Series 1', 'Oakmere S1', 'Oakmere', { 'Player ID': '' }),
        playerRow('NSTF', 'Series 1', 'Oakmere S1', 'Oakmere', {
          'Player ID': 'p3',
          'First Name': '',
          'Last Name': ' ',
        }),
      ],
    });
    expect(rejections.map((r) => [r.index, r.field, r.reason])).toEqual([
      [0, 'Series Mapping ID', 'the player names no team (and no club to take it from)'],
      [1, 'Player ID', 'is empty'],
      [2, 'Last Name', 'the player has neither a first nor a last name'],
    ]);
  });

  it('good records around bad ones still come through, and the summary counts both', async () => {
    const source = await openLeagueFeed(
      writeFeed({
        'series_stats.json': [
          statsRow('NSTF', 'Series 1', 'Oakmere S1'),
          7,
          statsRow('NSTF', 'Series 1', 'Pine S1'),
        ],
      }),
    );
    const { teams, summary } = await collect(source);
    expect(teams).toHaveLength(2);
    expect(summary.files[0]).toMatchObject({ read: 3, rejected: 1 });
    expect(summary.rejections).toBe(1);
  });

  it('a malformed file after good files fails the read even though records were yielded', async () => {
    const dir = writeFeed({ 'series_stats.json': [statsRow('NSTF', 'Series 1', 'Oakmere S1')] });
    writeFileSync(join(dir, 'players.json'), '[{"League": "NSTF"} {"League": "NSTF"}]');
    const err = await readError(dir);
    expect(err.message).toMatch(/^players\.json: malformed JSON at line 1, column 21/);
  });
});
