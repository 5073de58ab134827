//! Support code shared by the end-to-end test files (`mod support;` in a `tests/*.rs` file).
//!
//! - [`world`]: the test world — real hosts (systemd-nspawn, sshd, systemd, Java 17) brought up
//!   by `tests/world/world.sh`, the cached Kafka release tarballs, and the Apache-shaped mirror.
//! - [`kafka_probe`]: hand-encoded Kafka wire requests (ApiVersions, Metadata) and ZooKeeper
//!   four-letter words, to check a broker from the test process without the Java tools.
//! - [`roll_load`]: `tests/world/roll_load.py`'s acks=all load, started and stopped with its figures.
//! - [`wizard`]: the real binary run with a test's own cache and secrets store.
//! - [`relay`]: the release's fan-out read back (who uploaded, nothing left).
//! - [`bundle`]: `collect`'s support bundle read back, with the checks every bundle passes.
//! - [`secure`]: checks of a secured cluster (the admin's login, the wrong ways in refused, kafka-python as a user).
#![allow(dead_code)]

pub mod bundle;
pub mod kafka_probe;
pub mod relay;
pub mod roll_load;
pub mod secure;
pub mod wizard;
pub mod world;
