-- Undoes what the tool added to application tables (newest first), then restores 0030's detection.
do $$
declare
  change record;
begin
  for change in select undo_sql from bpetl.schema_changes order by id desc loop
    execute change.undo_sql;
  end loop;
end;
$$;

select bpetl.disable_protection();

-- bpetl.row_key as 0030 defined it
create or replace function bpetl.row_key(tbl text) returns text
language sql stable as $$
  select coalesce(
    (select 'id' from pg_attribute where attrelid = to_regclass(format('public.%I', tbl))
        and attname = 'id' and not attisdropped),
    (select a.attname::text from pg_index i
       join pg_attribute a on a.attrelid = i.indrelid and a.attnum = i.indkey[0]
      where i.indrelid = to_regclass(format('public.%I', tbl)) and i.indisprimary and i.indnatts = 1))
$$;

create or replace function bpetl.orphan_context_sql(target text, key_column text, rel text) returns text
language sql immutable as $$
  select case target
    when 'teams' then format(
      $q$select distinct on (o.%1$I::text) o.%1$I::text as k,
                jsonb_build_object('league', l.league_id, 'club', c.name, 'series', s.name,
                                   'teamName', o.team_name, 'teamAlias', o.team_alias) as ctx
           from %2$s o left join leagues l on l.id = o.league_id
           left join clubs c on c.id = o.club_id left join series s on s.id = o.series_id$q$, key_column, rel)
    when 'players' then format(
      $q$select distinct on (o.%1$I::text) o.%1$I::text as k,
                jsonb_build_object('externalId', o.tenniscores_player_id, 'firstName', o.first_name,
                                   'lastName', o.last_name, 'league', l.league_id, 'club', c.name,
                                   'series', s.name) as ctx
           from %2$s o left join leagues l on l.id = o.league_id
           left join clubs c on c.id = o.club_id left join series s on s.id = o.series_id
          order by o.%1$I::text, o.is_active desc$q$, key_column, rel)
    when 'series' then format(
      $q$select distinct on (o.%1$I::text) o.%1$I::text as k,
                jsonb_build_object('series', o.name, 'league', l.league_id) as ctx
           from %2$s o left join leagues l on l.id = o.league_id$q$, key_column, rel)
    else format($q$select distinct on (o.%1$I::text) o.%1$I::text as k, to_jsonb(o) as ctx from %2$s o$q$,
                key_column, rel)
  end
$$;

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
  -- An ON DELETE SET NULL / SET DEFAULT action clears the referencing rows before this trigger
  -- runs, and its own UPDATE triggers fire after it: leave the context where they will look.
  if exists (select 1 from pg_constraint where contype = 'f' and confrelid = tg_relid
                and (confdeltype in ('n', 'd') or confupdtype in ('n', 'd'))) then
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

create or replace function bpetl.enable_protection() returns void
language plpgsql as $$
declare
  t text;
  was_enabled boolean;
  since timestamptz;
begin
  select (value->>'enabled')::boolean, (value->>'since')::timestamptz into was_enabled, since
    from bpetl.settings where key = 'protection';
  perform bpetl.disable_protection();
  for t in select distinct source_table from bpetl.protected_references loop
    execute format($q$create trigger bpetl_orphan_source_insert after insert on %I
                      referencing new table as new_rows for each statement
                      execute function bpetl.tg_orphan_source_insert()$q$, t);
    execute format($q$create trigger bpetl_orphan_source_update after update on %I
                      referencing old table as old_rows new table as new_rows for each statement
                      execute function bpetl.tg_orphan_source_update()$q$, t);
    execute format('alter table %I enable always trigger bpetl_orphan_source_insert', t);
    execute format('alter table %I enable always trigger bpetl_orphan_source_update', t);
  end loop;
  for t in select distinct target_table from bpetl.protected_references loop
    execute format($q$create trigger bpetl_orphan_target_delete after delete on %I
                      referencing old table as old_rows for each statement
                      execute function bpetl.tg_orphan_target_change()$q$, t);
    execute format($q$create trigger bpetl_orphan_target_update after update on %I
                      referencing old table as old_rows new table as new_rows for each statement
                      execute function bpetl.tg_orphan_target_change()$q$, t);
    execute format($q$create trigger bpetl_orphan_target_truncate_before before truncate on %I
                      for each statement execute function bpetl.tg_orphan_target_truncate()$q$, t);
    execute format($q$create trigger bpetl_orphan_target_truncate_after after truncate on %I
                      for each statement execute function bpetl.tg_orphan_target_truncate()$q$, t);
    execute format('alter table %I enable always trigger bpetl_orphan_target_delete', t);
    execute format('alter table %I enable always trigger bpetl_orphan_target_update', t);
    execute format('alter table %I enable always trigger bpetl_orphan_target_truncate_before', t);
    execute format('alter table %I enable always trigger bpetl_orphan_target_truncate_after', t);
  end loop;
  update bpetl.settings
     set value = jsonb_build_object('enabled', true,
                                    'since', case when was_enabled then since else now() end)
   where key = 'protection';
end;
$$;

drop function bpetl.tg_orphan_source_delete();
drop function bpetl.series_league_sql(text);
drop function bpetl.ensure_row_key(text);
alter table bpetl.orphan_events drop column lost_row;
delete from bpetl.constraint_repairs where kind = 'CHANGE_ON_DELETE';
alter table bpetl.constraint_repairs
  drop constraint constraint_repair_kind,
  add constraint constraint_repair_kind check (kind in ('MERGE_DUPLICATES', 'ADD_CONSTRAINT'));
drop table bpetl.schema_changes;
drop table bpetl.protection_exclusions;
delete from bpetl.protected_references where rematch in ('league', 'club');
alter table bpetl.protected_references
  drop constraint protected_reference_rematch,
  add constraint protected_reference_rematch
    check (rematch in ('team', 'player', 'series', 'practice', 'external_player')),
  drop constraint protected_reference_origin,
  drop column on_delete,
  drop column origin;

select bpetl.enable_protection();
