-- The function as 0050 left it.
create or replace function bpetl.tg_orphan_target_change() returns trigger
language plpgsql as $$
declare
  ref bpetl.protected_references;
  vanished text;
  dangling text;
  found_any boolean;
  notify boolean := false;
begin
  for ref in select * from bpetl.protected_references where target_table = tg_table_name loop
    vanished := case tg_op
      when 'DELETE' then format('select o.%1$I from old_rows o', ref.target_column)
      else format('select o.%1$I from old_rows o except select n.%1$I from new_rows n', ref.target_column)
    end;
    execute format('select exists (%s)', vanished) into found_any;
    continue when not found_any;
    dangling := bpetl.dangling_sql(ref, format('(select * from %I where %I in (%s))',
                                                ref.source_table, ref.source_column, vanished));
    execute format('select count(*) > 0 from (%s) d', dangling) into found_any;
    if found_any then
      perform bpetl.lock_orphan_events();
      execute format(
        $q$insert into bpetl.orphan_events
             (reference, source_table, source_column, row_id, missing_ref, target_table, target_column, cause,
              context)
           select $1, $2, $3, d.row_id, d.missing_ref, $4, $5, $6, c.ctx
             from (%s) d left join (%s) c on c.k = d.missing_ref order by d.row_id
           on conflict do nothing$q$,
        dangling, bpetl.orphan_context_sql(tg_table_name, ref.target_column, 'old_rows'))
        using ref.name, ref.source_table, ref.source_column, ref.target_table, ref.target_column, tg_op;
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
