//! Scenarios for CI: the TOML file, which captures it selects (with sharding), where they are
//! replayed (one target or several), the expectations that decide whether a run passes, the
//! provider leg recorded during a run, and `run --shrink`.

pub mod expect;
pub mod file;
pub mod judge;
pub mod provider_leg;
pub mod run;
pub mod select;
pub mod shrink_formats;
pub mod target_spec;
pub mod targets;
