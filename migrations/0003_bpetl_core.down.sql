drop table if exists bpetl.settings;
