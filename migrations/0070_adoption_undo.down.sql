-- Reverts 0070: 0050's detection, and the record of undone changes forgotten (an undone change
-- needs no undoing when the tool goes).

drop table bpetl.lost_rows;

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
  for t in select distinct source_table from bpetl.protected_references
            where to_regclass(format('public.%I', source_table)) is not null loop
    execute format($q$create trigger bpetl_orphan_source_insert after insert on %I
                      referencing new table as new_rows for each statement
                      execute function bpetl.tg_orphan_source_insert()$q$, t);
    execute format($q$create trigger bpetl_orphan_source_update after update on %I
                      referencing old table as old_rows new table as new_rows for each statement
                      execute function bpetl.tg_orphan_source_update()$q$, t);
    execute format($q$create trigger bpetl_orphan_source_delete after delete on %I
                      referencing old table as old_rows for each statement
                      execute function bpetl.tg_orphan_source_delete()$q$, t);
    execute format('alter table %I enable always trigger bpetl_orphan_source_insert', t);
    execute format('alter table %I enable always trigger bpetl_orphan_source_update', t);
    execute format('alter table %I enable always trigger bpetl_orphan_source_delete', t);
  end loop;
  for t in select distinct target_table from bpetl.protected_references
            where to_regclass(format('public.%I', target_table)) is not null loop
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

select bpetl.enable_protection();
drop function bpetl.tg_orphan_cascade_delete();

alter table bpetl.repairs drop column reinserted;
delete from bpetl.constraint_repairs where kind = 'PROTECT_REFERENCE';
alter table bpetl.constraint_repairs
  drop column schema_change_id,
  drop constraint constraint_repair_kind,
  add constraint constraint_repair_kind check (kind in ('MERGE_DUPLICATES', 'ADD_CONSTRAINT', 'CHANGE_ON_DELETE'));
delete from bpetl.schema_changes where undone_at is not null;
alter table bpetl.schema_changes drop column undone_at;
