//! A KRaft cluster's `metadata.version` (and any other feature: `kraft.version`) over Kafka's protocol (docs/facts/kafka.md §20): every broker's ApiVersions
//! (v3+: the features it supports and the cluster's finalized ones) read as [`MetadataLevels`], and finalize's
//! UpdateFeatures (API 57, sent to a broker, which forwards it to the active controller) followed by every broker
//! asked until it reports the new level. Logged in as the admin on a secured cluster (`secrets::kafka_auth`).

use super::MetadataLevels;
use crate::apply::wait;
use crate::events::EventSink;
use crate::health::{bounded, error_code, protocol, Conn, HealthError};
use crate::project::spec::ClusterSpec;
use kafka_protocol::messages::update_features_request::FeatureUpdateKey;
use kafka_protocol::messages::{
    ApiKey, ApiVersionsRequest, ApiVersionsResponse, UpdateFeaturesRequest, UpdateFeaturesResponse,
};
use kafka_protocol::protocol::{Message, StrBytes};
use std::time::Duration;

/// The feature the KRaft metadata log's format is versioned by.
pub const METADATA_VERSION: &str = "metadata.version";
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);
/// UpdateFeatures' `UpgradeType` for raising a level (1 = upgrade).
const UPGRADE: i8 = 1;

/// The feature a KRaft controller quorum's kind is versioned by (0 static, 1 dynamic: `apply::convert_quorum`).
pub const KRAFT_VERSION: &str = "kraft.version";

/// One broker's view: (finalized level, highest supported level) of `metadata.version`.
pub async fn broker_levels(addr: &str, auth: &crate::security::KafkaAuth) -> Result<(i16, i16), HealthError> {
    match feature_levels(addr, auth, METADATA_VERSION).await? {
        (Some(f), Some(s)) => Ok((f, s)),
        _ => Err(protocol(addr, "ApiVersions reports no metadata.version (not a KRaft broker?)".into())),
    }
}

/// One broker's view of `feature`: (finalized level, highest supported level), each `None` where ApiVersions does
/// not list it (a feature finalized at level 0 may be left out).
pub async fn feature_levels(
    addr: &str,
    auth: &crate::security::KafkaAuth,
    feature: &str,
) -> Result<(Option<i16>, Option<i16>), HealthError> {
    bounded(addr, PROBE_TIMEOUT, async {
        let mut conn = Conn::open(addr, auth).await?;
        let mut req = ApiVersionsRequest::default();
        req.client_software_name = StrBytes::from_static_str("kafka-wizard");
        req.client_software_version = StrBytes::from_static_str(env!("CARGO_PKG_VERSION"));
        let resp: ApiVersionsResponse = conn.call(ApiKey::ApiVersions, 3, &req).await?;
        if resp.error_code != 0 {
            return Err(error_code(addr, "ApiVersions", resp.error_code));
        }
        let finalized = resp.finalized_features.iter().find(|f| f.name.as_str() == feature);
        let supported = resp.supported_features.iter().find(|f| f.name.as_str() == feature);
        Ok((finalized.map(|f| f.max_version_level), supported.map(|s| s.max_version)))
    })
    .await
}

fn broker_addrs(spec: &ClusterSpec) -> Vec<(String, String)> {
    let port = spec.kafka.listener_port;
    spec.brokers().map(|b| (b.name.to_string(), format!("{}:{port}", b.reach().for_host_port()))).collect()
}

/// Every broker's levels: the lowest finalized (one behind is still catching up) and the lowest supported maximum
/// (what all of them run); an error names the brokers that did not answer.
pub async fn levels(spec: &ClusterSpec) -> Result<MetadataLevels, String> {
    let auth = crate::apply::secrets::kafka_auth(spec)?;
    let addrs = broker_addrs(spec);
    let answers = futures_util::future::join_all(addrs.iter().map(|(name, addr)| {
        let auth = &auth;
        async move { (name, broker_levels(addr, auth).await) }
    }))
    .await;
    let mut finalized = Vec::new();
    let mut supported = Vec::new();
    let mut problems = Vec::new();
    for (name, answer) in answers {
        match answer {
            Ok((f, s)) => {
                finalized.push(f);
                supported.push(s);
            }
            Err(e) => problems.push(format!("{name}: {e}")),
        }
    }
    if !problems.is_empty() {
        return Err(problems.join("; "));
    }
    match (finalized.iter().min(), supported.iter().min()) {
        (Some(f), Some(s)) => Ok(MetadataLevels { finalized: *f, supported: *s }),
        _ => Err("the project has no broker".into()),
    }
}

/// The lowest finalized level of `feature` over every broker (a broker that does not list it counts as level 0), or
/// the first broker that could not be asked.
pub async fn lowest_finalized(spec: &ClusterSpec, feature: &str) -> Result<i16, String> {
    let auth = crate::apply::secrets::kafka_auth(spec)?;
    let mut lowest: Option<i16> = None;
    for (name, addr) in broker_addrs(spec) {
        let (finalized, _) = feature_levels(&addr, &auth, feature).await.map_err(|e| format!("{name}: {e}"))?;
        let level = finalized.unwrap_or(0);
        lowest = Some(lowest.map_or(level, |l| l.min(level)));
    }
    Ok(lowest.unwrap_or(0))
}

/// Raises `feature` (`metadata.version` at finalize, `kraft.version` for `apply::convert_quorum`) to `level` through
/// the first broker that takes it, then waits until every broker reports it as finalized.
pub async fn raise(
    spec: &ClusterSpec,
    feature: &'static str,
    level: i16,
    timeout: Duration,
    events: &EventSink,
) -> Result<(), String> {
    let auth = crate::apply::secrets::kafka_auth(spec)?;
    let mut last = String::from("the project has no broker");
    let mut done = false;
    for (name, addr) in broker_addrs(spec) {
        match update(&addr, &auth, feature, level).await {
            Ok(()) => {
                done = true;
                break;
            }
            Err(e @ HealthError::ErrorCode { .. }) => {
                return Err(format!("{name}: UpdateFeatures {feature}={level} refused: {e}"))
            }
            Err(e) => last = format!("{name}: {e}"),
        }
    }
    if !done {
        return Err(format!("no broker took UpdateFeatures {feature}={level}: {last}"));
    }
    let what = format!("every broker reporting {feature} level {level}");
    wait::poll(&what, None, timeout, events, || async {
        match lowest_finalized(spec, feature).await? {
            lowest if lowest >= level => Ok(format!("level {lowest}")),
            lowest => Err(format!("the lowest a broker reports is level {lowest}")),
        }
    })
    .await
}

/// UpdateFeatures raising `feature` to `level`, sent to the broker `addr` (which forwards it to the active
/// controller).
async fn update(
    addr: &str,
    auth: &crate::security::KafkaAuth,
    feature: &'static str,
    level: i16,
) -> Result<(), HealthError> {
    bounded(addr, PROBE_TIMEOUT * 6, async {
        let mut conn = Conn::open(addr, auth).await?;
        let versions = conn.api_versions().await?;
        let version =
            conn.negotiate(&versions, ApiKey::UpdateFeatures, UpdateFeaturesRequest::VERSIONS, 1, "a KRaft broker")?;
        let mut update = FeatureUpdateKey::default();
        update.feature = StrBytes::from_static_str(feature);
        update.max_version_level = level;
        update.upgrade_type = UPGRADE;
        let mut req = UpdateFeaturesRequest::default();
        req.timeout_ms = 60_000;
        req.feature_updates = vec![update];
        let resp: UpdateFeaturesResponse = conn.call(ApiKey::UpdateFeatures, version, &req).await?;
        if resp.error_code != 0 {
            let message = resp.error_message.as_ref().map(|m| m.to_string()).unwrap_or_default();
            return Err(protocol(addr, format!("UpdateFeatures error {}: {message}", resp.error_code)));
        }
        for r in &resp.results {
            if r.error_code != 0 {
                let message = r.error_message.as_ref().map(|m| m.to_string()).unwrap_or_default();
                return Err(protocol(
                    addr,
                    format!("UpdateFeatures {}: error {}: {message}", r.feature.as_str(), r.error_code),
                ));
            }
        }
        Ok(())
    })
    .await
}
