import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { openSource, openTeamsFile } from '../../src/sources/index.ts';
import { collect, tempDir, writeFeed } from './helpers.ts';

function file(name: string, content: string): string {
  const path = join(tempDir('teams'), name);
  writeFileSync(path, content);
  return path;
}

describe('teams file, CSV', () => {
  it('reads league, club, series, team_name with any header case, and gives feed keys', async () => {
    const path = file(
      'teams.csv',
      '\uFEFFLeague,Club,Series,Team_Name\n' +
        'APTA_CHICAGO,Oakmere,Series 20,Oakmere 20\n' +
        'nsft,Pine,Series 1,"Pine S1 T2"\n' +
        '\n' +
        'CITA,"Lakeview - North",Series Open Fri,Lakeview - North\n',
    );
    const { teams, rejections, summary } = await collect(await openTeamsFile(path));
    expect(rejections).toEqual([]);
    expect(
      teams.map((team) => [team.league, team.club, team.series, team.teamName, team.canonicalKey]),
    ).toEqual([
      ['APTA_CHICAGO', 'Oakmere', 'Chicago 20', 'Oakmere - 20', 'APTA_CHICAGO:oakmere:chicago20'],
      ['NSTF', 'Pine T2', 'Series 1', 'Pine S1 T2', 'NSTF:pinet2:series1'],
      [
        'CITA',
        'Lakeview - North',
        'Series Open Fri',
        'Lakeview - North',
        'CITA:lakeview-north:seriesopenfri',
      ],
    ]);
    expect(summary).toMatchObject({
      kind: 'teams-file',
      leagues: ['APTA_CHICAGO', 'CITA', 'NSTF'],
      counts: { team: 3 },
    });
  });

  it('a row with an empty team_name is named by its club', async () => {
    const path = file('teams.csv', 'league,club,series,team_name\nCITA,Oakmere,Series Open Fri,\n');
    const { teams } = await collect(await openTeamsFile(path));
    expect(teams[0]).toMatchObject({ club: 'Oakmere', teamName: 'Oakmere' });
  });

  it('rejects bad rows by row index and field, and keeps the good ones', async () => {
    const path = file(
      'teams.csv',
      'league,club,series,team_name\n' +
        'BOSTON,Oakmere,Series 1,Oakmere S1\n' +
        'NSTF,Oakmere,,Oakmere S1\n' +
        `NSTF,Oakmere,Series 1,${'x'.repeat(201)}\n` +
        'NSTF,Oakmere\n' +
        'NSTF,Oakmere,Series 1,Oakmere S1\n' +
        'NSTF,Oakmere,Series 1,Oakmere  S1\n',
    );
    const { teams, rejections, summary } = await collect(await openTeamsFile(path));
    expect(rejections.map((r) => [r.index, r.field, r.reason])).toEqual([
      [0, 'league', 'is not a known league (APTA_CHICAGO, NSTF, CNSWPL, CITA)'],
      [1, 'series', 'is empty'],
      [2, 'team_name', 'is 201 characters long, the limit is 200'],
      [3, 'series', 'is missing'],
    ]);
    expect(teams).toHaveLength(1);
    expect(summary.files[0]).toMatchObject({ read: 6, rejected: 4, duplicates: 1 });
  });

  it('a header without the required columns is INVALID_INPUT', async () => {
    const path = file('teams.csv', 'league,name\nNSTF,Oakmere\n');
    await expect(collect(await openTeamsFile(path))).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/the header lacks series, team_name/),
    });
  });

  it('malformed CSV names the line', async () => {
    const path = file('teams.csv', 'league,club,series,team_name\nNSTF,"Oakmere,Series 1,Oakmere S1\n');
    await expect(collect(await openTeamsFile(path))).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/malformed CSV at line \d+/),
    });
  });

  it('a header and no rows, and an empty file, are INVALID_INPUT', async () => {
    await expect(
      collect(await openTeamsFile(file('a.csv', 'league,club,series,team_name\n'))),
    ).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/has no rows/),
    });
    await expect(openTeamsFile(file('b.csv', ''))).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/is empty/),
    });
  });

  it('the leagues option', async () => {
    const path = file(
      'teams.csv',
      'league,club,series,team_name\nNSTF,Oakmere,Series 1,Oakmere S1\nCITA,Pine,Series Open Fri,Pine\n',
    );
    const { teams, summary } = await collect(await openTeamsFile(path, { leagues: ['cita'] }));
    expect(teams.map((team) => team.league)).toEqual(['CITA']);
    expect(summary.files[0].skipped).toBe(1);
  });
});

describe('teams file, NDJSON', () => {
  it('reads one object per line; a malformed line is one rejected record', async () => {
    const path = file(
      'teams.ndjson',
      '{"league":"CNSWPL","club":"Oakmere","series":"Series 1","team_name":"Oakmere 1a"}\n' +
        '\n' +
        '{"league":"CNSWPL","club":"Oakmere",\n' +
        '["not", "an", "object"]\n' +
        '{"league":"CNSWPL","club":"Oakmere","series":"Series 1","team_name":7}\n' +
        '{"league":"CNSWPL","club":"Oakmere","series":"Series 1","team_name":"Oakmere 1b"}\r\n',
    );
    const { teams, rejections } = await collect(await openTeamsFile(path));
    expect(teams.map((team) => team.club)).toEqual(['Oakmere a', 'Oakmere b']);
    expect(rejections.map((r) => [r.index, r.field, r.reason.replace(/:.*/, '')])).toEqual([
      [2, '', 'malformed JSON'],
      [3, '', 'record is an array, expected an object'],
      [4, 'team_name', 'is number 7, expected a string'],
    ]);
  });

  it('.jsonl is NDJSON too; a file of blank lines has no records', async () => {
    await expect(collect(await openTeamsFile(file('t.jsonl', '\n\n')))).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/has no records/),
    });
  });
});

describe('openSource', () => {
  it('a directory is a league feed, a .csv/.ndjson/.jsonl file a teams file', async () => {
    const dir = writeFeed({ 'series_stats.json': '[]' });
    expect((await openSource(dir)).kind).toBe('league-feed');
    for (const name of ['t.csv', 't.ndjson', 't.JSONL']) {
      expect((await openSource(file(name, 'league,club,series,team_name\n'))).kind).toBe('teams-file');
    }
  });

  it('anything else is SOURCE_UNREADABLE, saying why', async () => {
    await expect(openSource(file('series_stats.json', '[]'))).rejects.toMatchObject({
      code: 'SOURCE_UNREADABLE',
      message: expect.stringMatching(/a single JSON file is not a source: pass the league feed directory/),
    });
    await expect(openSource(file('teams.xlsx', 'x'))).rejects.toMatchObject({
      code: 'SOURCE_UNREADABLE',
      message: expect.stringMatching(/expected a league feed directory or a teams file/),
    });
    await expect(openSource(join(tempDir(), 'nothing-here'))).rejects.toMatchObject({
      code: 'SOURCE_UNREADABLE',
      message: expect.stringMatching(/does not exist/),
    });
    const dir = tempDir();
    mkdirSync(join(dir, 'teams.csv'));
    await expect(openSource(join(dir, 'teams.csv'))).rejects.toMatchObject({ code: 'SOURCE_UNREADABLE' });
    await expect(openSource('/dev/null')).rejects.toMatchObject({
      code: 'SOURCE_UNREADABLE',
      message: expect.stringMatching(/\/dev\/null is a device, not a league feed directory or a teams file/),
    });
  });
});
