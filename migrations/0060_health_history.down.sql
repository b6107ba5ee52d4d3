drop table if exists bpetl.health_history;
