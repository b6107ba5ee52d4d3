import type { PoolClient } from 'pg';

import { type Db, ident } from '../../db/sql.ts';
import { loadProtectionSpec } from '../protection/spec.ts';

/**
 * Players who came under a new id (a scraper that changed its id scheme): a staged player whose id
 * no player carries, on a team with exactly one active player of the same first and last name
 * whose id the source no longer lists at all, is that player. Exactly one on both sides, else
 * nothing is matched and the old row is retired as usual.
 */
const CREATE_PLAYER_REKEYS = `
  create temp table stg_player_rekeys on commit drop as
  with fresh as (
    select s.external_id, s.team_id, bpetl.name_key(s.first_name) as first_key,
           bpetl.name_key(s.last_name) as last_key
      from stg_player_rows s
     where s.existing_id is null and s.team_id is not null
       and not exists (select 1 from players x where x.tenniscores_player_id = s.external_id)),
  gone as (
    select x.id, x.tenniscores_player_id, x.team_id, bpetl.name_key(x.first_name) as first_key,
           bpetl.name_key(x.last_name) as last_key
      from players x
     where x.is_active and x.team_id in (select team_id from fresh)
       and not exists (select 1 from stg_players p where p.external_id = x.tenniscores_player_id)),
  pairs as (
    select g.id, g.tenniscores_player_id as old_id, f.external_id as new_id,
           count(*) over (partition by g.id) as per_row,
           count(*) over (partition by f.external_id, f.team_id) as per_new
      from fresh f
      join gone g on g.team_id = f.team_id and g.first_key = f.first_key and g.last_key = f.last_key)
  select id, old_id, new_id from pairs p
   where per_row = 1 and per_new = 1
     and not exists (select 1 from pairs o where o.old_id = p.old_id and o.new_id <> p.new_id)`;

/** The staged rows of rekeyed players now match their old row, by id. */
const ATTACH_REKEYED_ROWS = `
  update stg_player_rows s set existing_id = k.id, changed = true
    from stg_player_rekeys k
   where s.existing_id is null and s.external_id = k.new_id
     and s.team_id = (select x.team_id from players x where x.id = k.id)`;

export interface PlayerRekeys {
  /** Player rows that took a new external id. */
  players: number;
  /** User rows (per reference) that followed them, each recorded in bpetl.restore_actions. */
  moved: Record<string, number>;
  /** One rekeyed player, in words. */
  sample: string | null;
}

/**
 * Gives players who came under a new id their new id, and moves every user row that names them by
 * the old external id (references with the `external_player` rematch) in the same statement, so
 * the protection triggers, which check at the end of a statement, never see a dangling reference.
 */
export async function rekeyPlayers(client: PoolClient, db: Db): Promise<PlayerRekeys> {
  const result: PlayerRekeys = { players: 0, moved: {}, sample: null };
  const { rows: fresh } = await client.query(
    `select 1 from stg_player_rows s
      where s.existing_id is null
        and not exists (select 1 from players x where x.tenniscores_player_id = s.external_id) limit 1`,
  );
  if (fresh.length === 0) return result;
  await client.query(CREATE_PLAYER_REKEYS);
  const { rows: pairs } = await client.query<{ old_id: string; new_id: string }>(
    `select old_id, new_id from stg_player_rekeys order by old_id limit 1`,
  );
  if (!pairs[0]) return result;

  const references = (await loadProtectionSpec(db)).filter((ref) => ref.rematch === 'external_player');
  const ctes: string[] = [
    `moved as (update players p set tenniscores_player_id = k.new_id from stg_player_rekeys k
                where p.id = k.id returning p.id)`,
  ];
  const counts: string[] = ['(select count(*) from moved)::int as players'];
  const params: string[] = [];
  for (const [i, ref] of references.entries()) {
    const [{ key }] = (
      await client.query<{ key: string }>(`select bpetl.row_key($1) as key`, [ref.sourceTable])
    ).rows;
    const column = ident(ref.sourceColumn);
    const filter = ref.rowFilter ? `and (${ref.rowFilter})` : '';
    // Identifiers come from the protection spec, which only migrations and checked operator input write.
    ctes.push(
      `m${i} as (update ${ident(ref.sourceTable)} s set ${column} = k.new_id
                  from (select distinct old_id, new_id from stg_player_rekeys) k
                 where s.${column} = k.old_id ${filter}
                 returning s.${ident(key)} as row_id, k.old_id, k.new_id)`,
      `a${i} as (insert into bpetl.restore_actions (snapshot_id, reference, row_id, old_value, new_value, strategy)
                 select null, $${params.push(ref.name)}::text, row_id, old_id, new_id, 'player_id_changed' from m${i}
                 returning 1)`,
    );
    counts.push(`(select count(*) from a${i})::int as ${ident(`ref_${i}`)}`);
  }
  const { rows } = await client.query<Record<string, number>>(
    `with ${ctes.join(',\n')} select ${counts.join(', ')}`,
    params,
  );
  await client.query(ATTACH_REKEYED_ROWS);
  result.players = rows[0]!.players!;
  for (const [i, ref] of references.entries()) result.moved[ref.name] = rows[0]![`ref_${i}`]!;
  result.sample = `${pairs[0].old_id} → ${pairs[0].new_id}`;
  return result;
}
