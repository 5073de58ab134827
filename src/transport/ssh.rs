//! SSH transport over the `ssh2` crate (implemented in the deploy issue; see `transport/mod.rs` for the contract).
