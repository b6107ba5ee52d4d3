drop table if exists bpetl.demo_rows;
