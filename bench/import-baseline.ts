import type pg from 'pg';

import { openSource } from '../src/sources/open-source.ts';

/**
 * The classic refresh this project replaces: per record a name lookup and one INSERT … ON CONFLICT,
 * committing every 50 teams. Same parser, same tables, so the difference is the database work.
 */
export async function importClassic(pool: pg.Pool, dir: string): Promise<number> {
  const client = await pool.connect();
  const started = performance.now();
  try {
    const ids = new Map<string, { league: number; club: number; series: number; team: number }>();
    const one = async (sql: string, params: unknown[]) =>
      (await client.query(sql, params)).rows[0] as { id: number };
    let teamsInBatch = 0;
    await client.query('begin');
    for await (const item of (await openSource(dir)).items()) {
      if (item.kind === 'team') {
        const r = item.record;
        const league = await one(
          `insert into leagues (league_id) values ($1) on conflict (league_id) do update set league_id = excluded.league_id returning id`,
          [r.league],
        );
        const club =
          (
            await client.query(
              `select id from clubs where name_key = lower(regexp_replace(btrim($1), '\\s+', ' ', 'g'))`,
              [r.club],
            )
          ).rows[0] ?? (await one(`insert into clubs (name) values ($1) returning id`, [r.club]));
        const series =
          (
            await client.query(`select id from series where league_id = $1 and name = $2`, [
              league.id,
              r.series,
            ])
          ).rows[0] ??
          (await one(`insert into series (name, league_id) values ($1, $2) returning id`, [
            r.series,
            league.id,
          ]));
        const team = await one(
          `insert into teams (club_id, series_id, league_id, team_name, team_alias) values ($1, $2, $3, $4, $5)
           on conflict on constraint unique_team_club_series_league
           do update set team_name = excluded.team_name, team_alias = excluded.team_alias returning id`,
          [club.id, series.id, league.id, r.teamName, r.teamAlias],
        );
        ids.set(r.canonicalKey, { league: league.id, club: club.id, series: series.id, team: team.id });
        if (++teamsInBatch === 50) {
          await client.query('commit');
          await client.query('begin');
          teamsInBatch = 0;
        }
      } else if (item.kind === 'player') {
        const r = item.record;
        const team = ids.get(r.teamKey ?? '')!;
        await client.query(
          `insert into players (tenniscores_player_id, league_id, club_id, series_id, team_id, first_name, last_name, pti, wins, losses)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
           on conflict on constraint unique_player_league_club_series
           do update set team_id = excluded.team_id, first_name = excluded.first_name, last_name = excluded.last_name,
                         pti = excluded.pti, wins = excluded.wins, losses = excluded.losses`,
          [
            r.externalId,
            team.league,
            team.club,
            team.series,
            team.team,
            r.firstName,
            r.lastName,
            r.pti,
            r.wins,
            r.losses,
          ],
        );
      } else if (item.kind === 'fixture') {
        const r = item.record;
        const home = r.homeKey ? ids.get(r.homeKey) : undefined;
        const away = r.awayKey ? ids.get(r.awayKey) : undefined;
        await client.query(
          `insert into schedule (league_id, match_date, match_time, home_team, away_team, home_team_id, away_team_id, location)
           values ((select id from leagues where league_id = $1), $2, $3, $4, $5, $6, $7, $8)
           on conflict (league_id, match_date, home_team, away_team) where away_team <> ''
           do update set match_time = excluded.match_time, location = excluded.location`,
          [
            r.league,
            r.date,
            r.time,
            r.homeTeamName ?? r.homeTeam,
            r.awayTeamName ?? r.awayTeam,
            home?.team ?? null,
            away?.team ?? null,
            r.location,
          ],
        );
      }
    }
    await client.query('commit');
    return performance.now() - started;
  } catch (err) {
    await client.query('rollback').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
