//! Integration tests: drive the optctl binary in a temporary home.
//! One test binary (autotests = false) so it links once.

mod harness;

mod alert_history;
mod alert_quality;
mod compare;
mod config;
mod contracts;
mod control;
mod cron;
mod dashboard;
mod doctor;
mod enrich;
mod exit_codes;
mod export;
mod export_safety;
mod fetch;
mod generated;
mod help;
mod home_faults;
mod hosts;
mod kite;
mod logging;
mod migrate_scheduler;
mod monitor;
mod notify;
mod postgres;
mod process_excel;
mod providers;
mod quant;
mod retention;
mod scan;
mod serve;
mod shard;
mod store_copy;
mod structure;
mod symbols;
mod upgrade;
mod upstox;
mod views;
