//! Province-scale data for Anbao and the in-process benchmarks that measure it, each beside the nearest physical
//! limit on the same machine (raw SQLite inserts, one hand-written SQL aggregation).
pub mod generate;
pub mod measure;
