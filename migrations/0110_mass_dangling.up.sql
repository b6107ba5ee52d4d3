-- A mass delete under protection (a legacy ETL re-creating every team under replica), linear
-- again: the trigger on a referenced table anti-joined the referencing rows against the target
-- inside one query, and the target's statistics still count the rows just deleted, so the planner
-- expected a dangling row or two and looped over the transition table per referencing row. Now the
-- keys that no longer resolve are collected first (an array, sized right), the referencing rows
-- found with = any(array), and each row's context taken from one jsonb map of the vanished rows.
-- Events stay one row per dangling reference, in row order, so every reader (orphanDetected, the
-- orphans query, repairs, retention) is unchanged.

create or replace function bpetl.tg_orphan_target_change() returns trigger
language plpgsql as $$
declare
  ref bpetl.protected_references;
  vanished text;
  dangling text;
  found_any boolean;
  gone text[];
  column_type text;
  contexts jsonb;
  notify boolean := false;
begin
  for ref in select * from bpetl.protected_references where target_table = tg_table_name loop
    vanished := case tg_op
      when 'DELETE' then format('select o.%1$I from old_rows o', ref.target_column)
      else format('select o.%1$I from old_rows o except select n.%1$I from new_rows n', ref.target_column)
    end;
    -- The keys that no longer resolve, first and on their own: the target's statistics still count
    -- the rows just deleted, so an anti-join against it inside the dangling query is estimated at a
    -- row or two and planned as a nested loop over the transition table per referencing row,
    -- quadratic in a mass delete (10,000 teams, 630,000 rows: minutes). An array of keys is sized
    -- right, and the referencing rows are then one scan (or index probes) of the protected table.
    execute format(
      'select array_agg(v.k::text) from (%s) v(k) where not exists (select 1 from %I t where t.%I = v.k)',
      vanished, ref.target_table, ref.target_column) into gone;
    continue when gone is null;
    select format_type(a.atttypid, a.atttypmod) into column_type from pg_attribute a
     where a.attrelid = to_regclass(format('public.%I', ref.source_table)) and a.attname = ref.source_column;
    dangling := format(
      $q$select s.%1$I::bigint as row_id, s.%2$I::text as missing_ref from %3$I s
          where s.%2$I = any($7::%4$s[])%5$s$q$,
      bpetl.row_key(ref.source_table), ref.source_column, ref.source_table, column_type,
      case when ref.row_filter is null then '' else format(' and (%s)', ref.row_filter) end);
    execute format('select exists (%s)', dangling)
      using null::text, null::text, null::text, null::text, null::text, null::text, gone into found_any;
    if found_any then
      perform bpetl.lock_orphan_events();
      -- The vanished rows' natural keys as one jsonb object (key -> context), looked up per row.
      execute format('select jsonb_object_agg(c.k, c.ctx) from (%s) c',
                     bpetl.orphan_context_sql(tg_table_name, ref.target_column, 'old_rows'))
        into contexts;
      execute format(
        $q$insert into bpetl.orphan_events
             (reference, source_table, source_column, row_id, missing_ref, target_table, target_column, cause,
              context)
           select $1, $2, $3, d.row_id, d.missing_ref, $4, $5, $6, $8 -> d.missing_ref
             from (%s) d order by d.row_id
           on conflict do nothing$q$,
        dangling)
        using ref.name, ref.source_table, ref.source_column, ref.target_table, ref.target_column, tg_op,
              gone, contexts;
      notify := true;
    end if;
  end loop;
  if exists (select 1 from pg_constraint where contype = 'f' and confrelid = tg_relid
                and (confdeltype in ('n', 'd', 'c') or confupdtype in ('n', 'd', 'c'))) then
    for ref in select distinct on (target_column) * from bpetl.protected_references
                where target_table = tg_table_name loop
      execute format(
        $q$insert into bpetl.vanished_targets (target_table, target_column, k, context)
           select $1, $2, c.k, c.ctx from (%s) c%s$q$,
        bpetl.orphan_context_sql(tg_table_name, ref.target_column, 'old_rows'),
        case when tg_op = 'UPDATE'
          then format(' where c.k not in (select n.%I::text from new_rows n)', ref.target_column) else '' end)
        using ref.target_table, ref.target_column;
    end loop;
  end if;
  if notify then
    perform pg_notify('bpetl_orphan_event', tg_table_name);
  end if;
  return null;
end;
$$;
