//! Connecting to every host of a cluster in parallel: one transport per host (`transport::open`), reused for every
//! step.

use crate::project::spec::ClusterSpec;
use crate::transport::{self, HostAccess, Transport, TransportError};
use std::sync::Arc;

pub use crate::transport::ConnectOptions;

/// Connects to every host at once; one result per host, in host order.
pub async fn connect_each(
    spec: &ClusterSpec,
    opts: &ConnectOptions,
) -> Vec<Result<Arc<dyn Transport>, TransportError>> {
    let tasks: Vec<_> = spec
        .hosts
        .iter()
        .map(|h| {
            let host = HostAccess::from(h);
            let opts = opts.clone();
            tokio::task::spawn_blocking(move || transport::open(&host, &opts))
        })
        .collect();
    let mut out = Vec::new();
    for (task, host) in tasks.into_iter().zip(&spec.hosts) {
        out.push(match task.await {
            Ok(r) => r,
            Err(join) => Err(TransportError::io(host.name.as_str(), "connect", join)),
        });
    }
    out
}

/// Connects to every host at once; the transports in host order, or every host's error.
pub async fn connect_all(
    spec: &ClusterSpec,
    opts: &ConnectOptions,
) -> Result<Vec<Arc<dyn Transport>>, Vec<TransportError>> {
    let mut ok = Vec::new();
    let mut errors = Vec::new();
    for r in connect_each(spec, opts).await {
        match r {
            Ok(t) => ok.push(t),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(ok)
    } else {
        Err(errors)
    }
}
