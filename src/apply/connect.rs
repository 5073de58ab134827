//! Connecting to the hosts of a run in parallel — every host of the cluster, or those a `--limit` names: one
//! transport per host (`transport::open`), reused for every step.

use crate::plan::Limit;
use crate::project::spec::ClusterSpec;
use crate::transport::{self, HostAccess, Transport, TransportError};
use std::sync::Arc;

pub use crate::transport::ConnectOptions;

/// Connects to every host `limit` names at once; one result per host with its index in the spec, in host order.
pub async fn connect_each(
    spec: &ClusterSpec,
    limit: &Limit,
    opts: &ConnectOptions,
) -> Vec<(usize, Result<Arc<dyn Transport>, TransportError>)> {
    let tasks: Vec<_> = spec
        .hosts
        .iter()
        .enumerate()
        .filter(|(_, h)| limit.contains(h.name.as_str()))
        .map(|(index, h)| {
            let host = HostAccess::from(h);
            let opts = opts.clone();
            (index, tokio::task::spawn_blocking(move || transport::open(&host, &opts)))
        })
        .collect();
    let mut out = Vec::new();
    for (index, task) in tasks {
        out.push((
            index,
            match task.await {
                Ok(r) => r,
                Err(join) => Err(TransportError::io(spec.hosts[index].name.as_str(), "connect", join)),
            },
        ));
    }
    out
}

/// Connects to every host `limit` names at once; the transports with their host indexes, or every host's error.
pub async fn connect_all(
    spec: &ClusterSpec,
    limit: &Limit,
    opts: &ConnectOptions,
) -> Result<Vec<(usize, Arc<dyn Transport>)>, Vec<TransportError>> {
    let mut ok = Vec::new();
    let mut errors = Vec::new();
    for (index, r) in connect_each(spec, limit, opts).await {
        match r {
            Ok(t) => ok.push((index, t)),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(ok)
    } else {
        Err(errors)
    }
}
