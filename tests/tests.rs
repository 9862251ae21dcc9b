//! Integration tests: they drive the real `assess` binary on files. One test binary (one
//! link step) with a module per area.

mod server_util;
mod util;

mod accounts;
mod appeal;
mod architecture;
mod assign;
mod assign_villages;
mod audit;
mod bad_input;
mod census_crosscheck;
mod census_ingest;
mod census_pes;
mod census_pg;
mod census_quality;
mod census_sampled;
mod census_tables;
mod census_template;
mod check;
mod concurrency;
mod crosscheck;
mod draw;
mod estimate;
mod extend;
mod find;
mod finding;
mod frame;
mod identification;
mod main_job;
mod photo;
mod pipes;
mod plan;
mod records;
mod report;
mod server;
mod server_load;
mod simulate;
mod simulate_visits;
mod size;
mod store;
mod synth;
mod template;
mod use_cases;
mod verdict;
mod verify;
