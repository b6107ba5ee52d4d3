select bpetl.disable_protection();
delete from bpetl.settings where key = 'protection';

drop trigger _500_reattach_protection on bpetl.protected_references;
drop function bpetl.tg_protected_references__reattach();
drop function bpetl.enable_protection();
drop function bpetl.disable_protection();
drop function bpetl.tg_orphan_target_truncate();
drop function bpetl.tg_orphan_target_change();
drop function bpetl.tg_orphan_source_update();
drop function bpetl.tg_orphan_source_insert();
drop function bpetl.dangling_sql(bpetl.protected_references, text);
drop function bpetl.orphan_context_sql(text, text, text);
drop function bpetl.row_key(text);
drop function bpetl.lock_orphan_events();
drop table bpetl.vanished_targets;
drop table bpetl.orphan_events;
