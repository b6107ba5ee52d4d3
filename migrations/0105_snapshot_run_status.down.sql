alter table bpetl.snapshots drop column run_status;
