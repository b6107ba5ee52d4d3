drop table bpetl.constraint_repairs;
drop table bpetl.restore_actions;
delete from bpetl.settings where key = 'snapshot_retention';
drop table bpetl.snapshot_rows;
drop table bpetl.snapshots;
drop function bpetl.name_key(text);
