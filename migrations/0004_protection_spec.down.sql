drop table if exists bpetl.protected_references;
