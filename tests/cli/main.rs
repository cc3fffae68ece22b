//! Integration tests: drive the optctl binary in a temporary home.
//! One test binary (autotests = false) so it links once.

mod harness;

mod compare;
mod config;
mod dashboard;
mod exit_codes;
mod export;
mod generated;
mod help;
mod migrate_scheduler;
mod process_excel;
mod quant;
mod scan;
mod serve;
