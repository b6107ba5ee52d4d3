import { seriesHaveLeague, tableColumns } from '../../db/catalog.ts';
import { type Db, ident } from '../../db/sql.ts';
import { type ProtectedReference } from '../protection/spec.ts';
import { CONTEXT_COLUMNS, contextSql, rowKeyColumn } from './reference-context.ts';

/** Session-local work table of the re-match: one row per row to re-match (created by rematch.ts). */
export const REMATCH_TABLE = 'bpetl_rematch_rows';

/** Context from the latest snapshot that holds the row with that value (or any, when it was nulled). */
export async function fillContextFromSnapshots(manager: Db, snapshotId: number | null): Promise<void> {
  const set = CONTEXT_COLUMNS.map((c) => `${c} = sr.${c}`).join(', ');
  await manager.query(
    `update ${REMATCH_TABLE} r set ${set}, has_context = true
       from (select distinct on (r2.idx) r2.idx, sr.*
               from ${REMATCH_TABLE} r2
               cross join bpetl.snapshots sn
               join bpetl.snapshot_rows sr
                 on sr.snapshot_id = sn.id and sr.reference = r2.reference and sr.row_id = r2.row_id
              where not r2.has_context
                and ($1::bigint is null or sr.snapshot_id = $1)
                and (r2.old_value is null or sr.value = r2.old_value)
              order by r2.idx,
                       (sr.league is not null or sr.series is not null or sr.external_id is not null
                         or sr.practice_name is not null) desc,
                       sr.snapshot_id desc) sr
      where sr.idx = r.idx`,
    [snapshotId],
  );
}

/**
 * Rows still without context take it from their old target when that still exists (a retired team),
 * and practice rows always read their own `<Club> Practice - <Series>` name and league.
 */
export async function fillContextFromSource(manager: Db, ref: ProtectedReference): Promise<void> {
  const key = await rowKeyColumn(manager, ref.sourceTable);
  const value =
    ref.rematch === 'external_player'
      ? 'r2.old_value'
      : `(case when r2.old_value ~ '^-?[0-9]{1,18}$' then r2.old_value::bigint end)`;
  const ctx = contextSql(ref, value, 'c', { seriesHaveLeague: await seriesHaveLeague(manager) });
  const set = CONTEXT_COLUMNS.map((c) => `${c} = coalesce(r.${c}, x.${c})`).join(', ');
  await manager.query(
    `update ${REMATCH_TABLE} r set ${set}
       from (select r2.idx, ${CONTEXT_COLUMNS.map((c) => `${ctx.columns[c]} as ${c}`).join(', ')}
               from ${REMATCH_TABLE} r2
               join ${ident(ref.sourceTable)} s on s.${ident(key)} = r2.row_id
               ${ctx.joins}
              where r2.reference = $1 and not r2.has_context) x
      where x.idx = r.idx`,
    [ref.name],
  );
  if (ref.rematch === 'practice') {
    await manager.query(
      `update ${REMATCH_TABLE} r
          set practice_name = coalesce(r.practice_name, s.home_team), league = coalesce(r.league, l.league_id)
         from ${ident(ref.sourceTable)} s left join leagues l on l.id = s.league_id
        where r.reference = $1 and s.${ident(key)} = r.row_id`,
      [ref.name],
    );
  }
}

const PENDING_TEAM = `r.new_value is null and r.strategy in ('team', 'practice')`;

/**
 * Every team's natural key, computed once per statement (one row per team) so the work table joins
 * it by equality instead of scanning a league's teams for every row.
 */
const TEAM_KEYS = `team_keys as materialized (
  select t.id, t.is_active, l.league_id as league, bpetl.name_key(c.name) as club_key, se.name as series,
         bpetl.name_key(se.name) as series_key, bpetl.name_key(se.display_name) as series_display_key,
         bpetl.name_key(t.team_name) as name_key, bpetl.name_key(t.team_alias) as alias_key
    from teams t
    join leagues l on l.id = t.league_id
    join clubs c on c.id = t.club_id
    join series se on se.id = t.series_id)`;

async function pending(manager: Db, predicate: string): Promise<boolean> {
  const rows = await manager.query(`select 1 from ${REMATCH_TABLE} r where ${predicate} limit 1`);
  return rows.length > 0;
}

/** (a) Same league code, club (name key) and series name; an active team preferred. */
export async function matchTeamsByNaturalKey(manager: Db): Promise<void> {
  if (!(await pending(manager, PENDING_TEAM))) return;
  await manager.query(
    `with ${TEAM_KEYS},
     cand as (
       select r.idx, k.id, k.is_active
         from ${REMATCH_TABLE} r
         join team_keys k on k.league = r.league and k.club_key = r.club_key and k.series = r.series
        where ${PENDING_TEAM}),
     pick as (
       select idx, count(*) filter (where is_active) as n_active, min(id) filter (where is_active) as active_id,
              count(*) as n_all, min(id) as any_id
         from cand group by idx)
     update ${REMATCH_TABLE} r
        set new_value = case when p.n_active = 1 then p.active_id::text end,
            method = case when p.n_active = 1 then 'natural_key' end,
            ambiguous = p.n_active > 1,
            retired_id = case when p.n_active = 0 and p.n_all = 1 then p.any_id::text end
       from pick p where p.idx = r.idx`,
  );
}

/** (b) An active team of the same league and club carrying the old team's name or alias. */
export async function matchTeamsByName(manager: Db): Promise<void> {
  const predicate = `${PENDING_TEAM} and not r.ambiguous and (r.team_name is not null or r.team_alias is not null)`;
  if (!(await pending(manager, predicate))) return;
  await manager.query(
    `with ${TEAM_KEYS},
     wanted as (
       select r.idx, r.league, r.club_key, n.key
         from ${REMATCH_TABLE} r
         cross join lateral (values (bpetl.name_key(r.team_name)), (bpetl.name_key(r.team_alias))) n(key)
        where ${predicate} and n.key is not null),
     offered as (
       select k.id, k.league, k.club_key, n.key
         from team_keys k cross join lateral (values (k.name_key), (k.alias_key)) n(key)
        where k.is_active and n.key is not null),
     cand as (
       select w.idx, o.id from wanted w
         join offered o on o.league = w.league and o.club_key = w.club_key and o.key = w.key),
     pick as (select idx, min(id) as id from cand group by idx having count(distinct id) = 1)
     update ${REMATCH_TABLE} r
        set new_value = p.id::text,
            method = case when r.retired_id is not null then 'successor' else 'team_name' end
       from pick p where p.idx = r.idx`,
  );
}

/** (c) Practice rows: the team named by `<Club> Practice - <Series>`, within the league when known. */
export async function matchPracticeByName(manager: Db): Promise<void> {
  const predicate = `r.new_value is null and r.strategy = 'practice' and not r.ambiguous`;
  if (!(await pending(manager, predicate))) return;
  await manager.query(
    `with ${TEAM_KEYS},
     parsed as (
       select r.idx, r.league, bpetl.name_key(m[1]) as club_key, bpetl.name_key(m[2]) as series_key
         from ${REMATCH_TABLE} r
         cross join lateral regexp_match(r.practice_name, '^\\s*(.*\\S)\\s+Practice\\s+-\\s+(.*\\S)\\s*$') m
        where ${predicate}),
     cand as (
       select p.idx, k.id, k.is_active
         from parsed p
         join team_keys k on k.club_key = p.club_key
              and p.series_key in (k.series_key, k.series_display_key)
              and (p.league is null or k.league = p.league)),
     pick as (
       select idx, case when count(distinct id) filter (where is_active) = 1 then min(id) filter (where is_active)
                        when count(distinct id) = 1 then min(id) end as id
         from cand group by idx)
     update ${REMATCH_TABLE} r set new_value = p.id::text, method = 'practice_name'
       from pick p where p.idx = r.idx and p.id is not null`,
  );
}

/** Players by external id within the league; club and series decide between several. */
export async function matchPlayers(manager: Db): Promise<void> {
  await manager.query(
    `with cand as (
       select r.idx, p.id, p.is_active,
              coalesce(bpetl.name_key(c.name) = r.club_key and se.name = r.series, false) as same_cs
         from ${REMATCH_TABLE} r
         join players p on p.tenniscores_player_id = r.external_id
         join leagues l on l.id = p.league_id and (r.league is null or l.league_id = r.league)
         left join clubs c on c.id = p.club_id
         left join series se on se.id = p.series_id
        where r.new_value is null and r.strategy = 'player'),
     pick as (
       select idx,
              case when count(*) = 1 then min(id)
                   when count(*) filter (where same_cs) = 1 then min(id) filter (where same_cs)
                   when count(*) filter (where same_cs and is_active) = 1
                     then min(id) filter (where same_cs and is_active) end as id
         from cand group by idx)
     update ${REMATCH_TABLE} r set new_value = p.id::text, method = 'external_id'
       from pick p where p.idx = r.idx and p.id is not null`,
  );
}

/** An account link is valid while any player carries its external id; it never changes value. */
export async function matchExternalPlayers(manager: Db): Promise<void> {
  await manager.query(
    `update ${REMATCH_TABLE} r set new_value = r.old_value, method = 'external_id_exists'
      where r.new_value is null and r.strategy = 'external_player'
        and exists (select 1 from players p where p.tenniscores_player_id = r.old_value)`,
  );
}

/** Series by name within the league (its own league column where it has one, or a series_leagues link). */
export async function matchSeries(manager: Db): Promise<void> {
  const ownLeague = (await seriesHaveLeague(manager))
    ? `exists (select 1 from leagues l where l.id = se.league_id and l.league_id = r.league) or `
    : '';
  await manager.query(
    `with cand as (
       select r.idx, se.id
         from ${REMATCH_TABLE} r
         join series se on se.name = r.series
        where r.new_value is null and r.strategy = 'series'
          and (r.league is null or ${ownLeague}
               exists (select 1 from series_leagues sl join leagues l2 on l2.id = sl.league_id
                        where sl.series_id = se.id and l2.league_id = r.league))),
     pick as (select idx, min(id) as id from cand group by idx having count(distinct id) = 1)
     update ${REMATCH_TABLE} r set new_value = p.id::text, method = 'series_name'
       from pick p where p.idx = r.idx`,
  );
}

/** Clubs by name, compared case- and space-insensitively. */
export async function matchClubs(manager: Db): Promise<void> {
  await manager.query(
    `with pick as (
       select r.idx, min(c.id) as id
         from ${REMATCH_TABLE} r join clubs c on bpetl.name_key(c.name) = r.club_key
        where r.new_value is null and r.strategy = 'club'
        group by r.idx having count(*) = 1)
     update ${REMATCH_TABLE} r set new_value = p.id::text, method = 'club_name'
       from pick p where p.idx = r.idx`,
  );
}

/** Leagues by their code. */
export async function matchLeagues(manager: Db): Promise<void> {
  await manager.query(
    `update ${REMATCH_TABLE} r set new_value = l.id::text, method = 'league_code'
       from leagues l
      where r.new_value is null and r.strategy = 'league' and l.league_id = r.league`,
  );
}

/** A regex matching `name` as whole words (every character that is not a letter, digit or space escaped). */
const WHOLE_WORDS = (name: string) =>
  String.raw`('\m' || regexp_replace(${name}, '([^[:alnum:][:space:]])', '\\\1', 'g') || '\M')`;

/** Columns naming who wrote a row, where the platform has them (DESIGN §3's user data). */
const CREATOR_COLUMNS = ['created_by', 'captain_user_id', 'user_id', 'creator_user_id', 'initiator_user_id'];

/**
 * Rows no event or snapshot describes (orphans that predate adoption) are matched on what the row
 * itself tells, in order and only on a unique match: (d) its creator is associated with exactly one
 * active player, whose team is the match; (e) its own text names exactly one active team (name,
 * alias or `<Club> Practice - <Series>`, as whole words).
 */
export async function matchTeamsByEvidence(manager: Db, ref: ProtectedReference): Promise<void> {
  if (ref.rematch !== 'team') return;
  // Only rows nothing describes: a row whose event or snapshot names its team is matched on that, or not at all.
  const predicate = `r.reference = '${ref.name.replace(/'/g, "''")}' and r.new_value is null and not r.ambiguous
                     and not r.has_context`;
  if (!(await pending(manager, predicate))) return;
  const key = ident(await rowKeyColumn(manager, ref.sourceTable));
  const columns = await tableColumns(manager, ref.sourceTable);
  const creator = CREATOR_COLUMNS.find((c) => columns.has(c));
  if (creator && (await tableColumns(manager, 'user_player_associations')).has('user_id')) {
    await manager.query(
      `with cand as (
         select r.idx, p.id as player_id, p.team_id
           from ${REMATCH_TABLE} r
           join ${ident(ref.sourceTable)} s on s.${key}::text = r.row_id::text
           join user_player_associations a on a.user_id = s.${ident(creator)}
           join players p on p.tenniscores_player_id = a.tenniscores_player_id and p.is_active
          where ${predicate}),
       pick as (select idx, min(team_id) as id from cand group by idx
                 having count(distinct player_id) = 1 and min(team_id) is not null)
       update ${REMATCH_TABLE} r set new_value = p.id::text, method = 'creator_player'
         from pick p join teams t on t.id = p.id and t.is_active
        where p.idx = r.idx`,
    );
  }
  const text = [...columns.values()]
    .filter((c) => c.type === 'text' || c.type === 'character varying')
    .map((c) => `coalesce(s.${ident(c.name)}, '')`);
  if (text.length === 0) return;
  await manager.query(
    `with names as (
       select t.id, n.name
         from teams t join clubs c on c.id = t.club_id join series se on se.id = t.series_id
         cross join lateral (values (t.team_name), (t.team_alias), (c.name || ' Practice - ' || se.name)) n(name)
        where t.is_active and n.name is not null and length(n.name) > 2),
     rows as (
       select r.idx, concat_ws(' ', ${text.join(', ')}) as body
         from ${REMATCH_TABLE} r join ${ident(ref.sourceTable)} s on s.${key}::text = r.row_id::text
        where ${predicate}),
     cand as (select w.idx, n.id from rows w join names n on w.body ~* ${WHOLE_WORDS('n.name')}),
     pick as (select idx, min(id) as id from cand group by idx having count(distinct id) = 1)
     update ${REMATCH_TABLE} r set new_value = p.id::text, method = 'row_text'
       from pick p where p.idx = r.idx and r.new_value is null`,
  );
}
