drop table bpetl.quarantine;
drop table bpetl.repairs;
