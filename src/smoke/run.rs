//! The smoke test, step by step: the cluster as a broker sees it (which of the project's brokers are missing), the
//! leftovers of earlier runs removed, the topic created through the controller, its partitions led, N records
//! produced with acks=all (each partition by its own connection to its leader, at once), read back from each
//! leader and compared, and the topic deleted whatever happened before. Cancel stops between records and between
//! steps; the topic is still deleted.

use super::client::{self, Session, NOT_CONTROLLER, REQUEST_TIMED_OUT, UNKNOWN_TOPIC_OR_PARTITION};
use super::report::{self, BrokerLeadership, Cleanup, PartitionOutcome, SmokeReport, Stored};
use super::topic;
use crate::apply::Cancel;
use crate::events::{Event, EventSink, Target};
use crate::health::{ClusterMetadata, PartitionState};
use crate::project::spec::ClusterSpec;
use crate::security::KafkaAuth;
use std::time::{Duration, Instant};

/// What the smoke test does, beyond what the project says.
#[derive(Clone, Debug)]
pub struct SmokeOptions {
    /// Records to produce (spread over the partitions).
    pub records: u32,
    /// The topic's `min.insync.replicas`; None: the cluster's (the project's, else the wizard's default).
    pub min_insync_replicas: Option<usize>,
    /// How long to wait for the partitions' leaders, for a retried record, and for the records to be read back.
    pub timeout: Duration,
}

impl Default for SmokeOptions {
    fn default() -> Self {
        SmokeOptions { records: 1000, min_insync_replicas: None, timeout: Duration::from_secs(30) }
    }
}

/// How long DeleteTopics may wait for the deletion to finish.
const DELETE_WAIT: Duration = Duration::from_secs(15);
/// Pause before a request is sent again (a partition still being set up, a fetch with nothing new).
const RETRY_PAUSE: Duration = Duration::from_millis(200);

/// Metadata for no topic: the brokers and the controller only.
const NO_TOPICS: &[String] = &[];

/// A broker of the project: id, host name, `address:port` of its listener.
struct ProjectBroker {
    id: i32,
    host: String,
    addr: String,
}

/// Runs the smoke test on the project's cluster. Never fails: everything that goes wrong is in the report.
pub async fn smoke(spec: &ClusterSpec, opts: &SmokeOptions, events: &EventSink, cancel: &Cancel) -> SmokeReport {
    let started = Instant::now();
    // hosts behind a jump host are dialled through it, though the smoke test opens no SSH connection
    crate::transport::learn_routes(&spec.hosts, &crate::transport::ConnectOptions::default());
    let mut brokers: Vec<ProjectBroker> = spec
        .brokers()
        .filter_map(|b| {
            let addr = format!("{}:{}", b.reach().for_host_port(), spec.kafka.listener_port);
            b.node_id.map(|id| ProjectBroker { id: id as i32, host: b.name.to_string(), addr })
        })
        .collect();
    brokers.sort_by_key(|b| b.id);
    let rf = crate::render::replication_for(brokers.len()).0;
    let min_isr = opts.min_insync_replicas.unwrap_or_else(|| crate::render::min_insync_replicas(spec));
    let unix = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let mut report = SmokeReport::new(topic::topic_name(unix, rand::random()), rf, min_isr, opts.records);
    report.brokers = brokers
        .iter()
        .map(|b| BrokerLeadership { id: b.id, host: b.host.clone(), in_cluster: false, leads: Vec::new() })
        .collect();
    let auth = crate::apply::secrets::kafka_auth(spec).unwrap_or_else(|e| {
        (events)(Event::Warning { target: Target::Wizard, message: format!("cannot log in to the cluster: {e}") });
        KafkaAuth::plaintext()
    });
    let mut test = Test { brokers: &brokers, auth: &auth, opts, events, cancel, report };
    test.run().await;
    let mut report = test.report;
    report.finish(started.elapsed());
    let verdict = match (report.passed, report.cancelled && report.failures.is_empty()) {
        (true, _) => "passed",
        (false, true) => "cancelled",
        (false, false) => "FAILED",
    };
    log(events, format!("smoke test {verdict} in {:.1} s", started.elapsed().as_secs_f64()));
    report
}

fn log(events: &EventSink, message: String) {
    events(Event::Log { target: Target::Wizard, message });
}

struct Test<'a> {
    brokers: &'a [ProjectBroker],
    /// How to reach the listeners: plaintext, or TLS + SCRAM as the admin (`apply::secrets::kafka_auth`).
    auth: &'a KafkaAuth,
    opts: &'a SmokeOptions,
    events: &'a EventSink,
    cancel: &'a Cancel,
    report: SmokeReport,
}

impl Test<'_> {
    fn cancelled(&mut self) -> bool {
        if self.cancel.is_cancelled() {
            self.report.cancelled = true;
        }
        self.report.cancelled
    }

    async fn run(&mut self) {
        let Some(cluster) = self.cluster().await else { return };
        self.remove_leftovers(&cluster).await;
        if self.cancelled() {
            return;
        }
        if !self.create(&cluster).await {
            return;
        }
        self.exercise().await;
        let topic = [self.report.topic.clone()];
        self.report.cleanup = self.delete(&topic).await.remove(0).1;
        match &self.report.cleanup {
            Cleanup::Deleted => log(self.events, format!("deleted the topic {}", topic[0])),
            Cleanup::Pending { reason } | Cleanup::Failed { reason } => {
                let message = format!("the topic {} is not deleted yet: {reason}", topic[0]);
                (self.events)(Event::Warning { target: Target::Wizard, message });
            }
            Cleanup::NotCreated => {}
        }
    }

    /// The cluster as the first broker that answers sees it; each project broker it does not list is a failure.
    async fn cluster(&mut self) -> Option<ClusterMetadata> {
        let mut unreachable = Vec::new();
        for b in self.brokers {
            match client::metadata(&b.addr, self.auth, Some(NO_TOPICS)).await {
                Ok((cluster, _)) => {
                    for lead in &mut self.report.brokers {
                        lead.in_cluster = cluster.brokers.iter().any(|c| c.id == lead.id);
                        if !lead.in_cluster {
                            self.report
                                .failures
                                .push(format!("broker {} ({}) is not in the cluster", lead.id, lead.host));
                        }
                    }
                    let ids: Vec<i32> = cluster.brokers.iter().map(|b| b.id).collect();
                    log(self.events, format!("{} sees brokers {ids:?}; controller {}", b.host, cluster.controller_id));
                    return Some(cluster);
                }
                Err(e) => unreachable.push(format!("{}: {e}", b.host)),
            }
        }
        self.report.fail(format!("no broker answered: {}", unreachable.join("; ")));
        None
    }

    /// The address of the broker CreateTopics and DeleteTopics go to: the controller in ZooKeeper mode (others
    /// answer NOT_CONTROLLER); in KRaft Metadata names a live broker, which forwards them (docs/facts/kafka.md §10).
    fn controller_addr(cluster: &ClusterMetadata) -> Option<String> {
        let c = cluster.brokers.iter().find(|b| b.id == cluster.controller_id)?;
        Some(if c.host.contains(':') { format!("[{}]:{}", c.host, c.port) } else { format!("{}:{}", c.host, c.port) })
    }

    /// Any broker that answers Metadata, for a fresh view (the controller may have moved).
    async fn fresh_cluster(&self) -> Option<ClusterMetadata> {
        for b in self.brokers {
            if let Ok((cluster, _)) = client::metadata(&b.addr, self.auth, Some(NO_TOPICS)).await {
                return Some(cluster);
            }
        }
        None
    }

    async fn remove_leftovers(&mut self, cluster: &ClusterMetadata) {
        let Some(addr) = Self::controller_addr(cluster) else { return };
        let Ok((_, partitions)) = client::metadata(&addr, self.auth, None).await else { return };
        let leftovers = topic::leftovers(partitions.iter().map(|p| p.topic.as_str()), &self.report.topic);
        if leftovers.is_empty() {
            return;
        }
        for (name, cleanup) in self.delete(&leftovers).await {
            match cleanup {
                Cleanup::Deleted | Cleanup::Pending { .. } => {
                    log(self.events, format!("removed {name}, left by an interrupted smoke test"));
                    self.report.leftovers_removed.push(name);
                }
                Cleanup::Failed { reason } => {
                    let message = format!("cannot remove {name}, left by an earlier smoke test: {reason}");
                    (self.events)(Event::Warning { target: Target::Wizard, message });
                }
                Cleanup::NotCreated => {}
            }
        }
    }

    /// CreateTopics through the controller (asked again when the controller moved). False when not created.
    async fn create(&mut self, cluster: &ClusterMetadata) -> bool {
        let ids: Vec<i32> = self.brokers.iter().map(|b| b.id).collect();
        let assignment = topic::assignment(&ids, self.report.replication_factor as usize);
        let min_isr = self.report.min_insync_replicas as usize;
        let topic = self.report.topic.clone();
        let mut cluster = cluster.clone();
        for _ in 0..3 {
            let Some(addr) = Self::controller_addr(&cluster) else { break };
            let answer = match Session::open(&addr, self.auth).await {
                Ok(mut s) => s.create_topic(&topic, &assignment, min_isr).await,
                Err(e) => Err(e),
            };
            match answer {
                Ok(a) if a.code == 0 => {
                    self.report.cleanup = Cleanup::Failed { reason: "not deleted yet".into() };
                    log(
                        self.events,
                        format!(
                            "created {topic}: {} partition(s), replication factor {}, min.insync.replicas {min_isr}",
                            assignment.len(),
                            self.report.replication_factor
                        ),
                    );
                    return true;
                }
                Ok(a) if a.code == NOT_CONTROLLER => {}
                Ok(a) => {
                    self.report.fail(format!("cannot create the topic {topic}: {}", a.describe()));
                    return false;
                }
                Err(e) => {
                    self.report.fail(format!("cannot create the topic {topic}: {e}"));
                    return false;
                }
            }
            tokio::time::sleep(RETRY_PAUSE).await;
            match self.fresh_cluster().await {
                Some(c) => cluster = c,
                None => break,
            }
        }
        self.report.fail(format!("cannot create the topic {topic}: no controller answered"));
        false
    }

    /// DeleteTopics through the controller, asked again when it moved: what became of each topic.
    async fn delete(&self, names: &[String]) -> Vec<(String, Cleanup)> {
        let mut last = String::from("no broker answered");
        for _ in 0..3 {
            let Some(cluster) = self.fresh_cluster().await else { break };
            let Some(addr) = Self::controller_addr(&cluster) else { break };
            let answers = match Session::open(&addr, self.auth).await {
                Ok(mut s) => s.delete_topics(names, DELETE_WAIT).await,
                Err(e) => Err(e),
            };
            match answers {
                Ok(answers) if answers.iter().any(|(_, a)| a.code == NOT_CONTROLLER) => {
                    last = "the controller moved".into();
                }
                Ok(answers) => {
                    return names
                        .iter()
                        .map(|n| {
                            let cleanup = match answers.iter().find(|(name, _)| name == n) {
                                Some((_, a)) if a.code == 0 || a.code == UNKNOWN_TOPIC_OR_PARTITION => Cleanup::Deleted,
                                Some((_, a)) if a.code == REQUEST_TIMED_OUT => Cleanup::Pending {
                                    reason: format!(
                                        "deletion not finished within {} s — a replica's broker is down? Kafka \
                                         finishes it when the broker is back",
                                        DELETE_WAIT.as_secs()
                                    ),
                                },
                                Some((_, a)) => Cleanup::Failed { reason: a.describe() },
                                None => Cleanup::Failed { reason: "not in the DeleteTopics answer".into() },
                            };
                            (n.clone(), cleanup)
                        })
                        .collect();
                }
                Err(e) => last = e.to_string(),
            }
            tokio::time::sleep(RETRY_PAUSE).await;
        }
        names.iter().map(|n| (n.clone(), Cleanup::Failed { reason: last.clone() })).collect()
    }

    /// Leaders, produce, read back, compare.
    async fn exercise(&mut self) {
        let Some(partitions) = self.led_partitions().await else { return };
        let (brokers, opts, cancel, auth) = (self.brokers, self.opts, self.cancel, self.auth);
        let leader_addr = |id: i32| brokers.iter().find(|b| b.id == id).map(|b| b.addr.clone());
        for p in &partitions {
            if let Some(b) = self.report.brokers.iter_mut().find(|b| b.id == p.leader) {
                b.leads.push(p.partition);
            }
            let leader_host = if p.leader < 0 { String::new() } else { self.report.host_of(p.leader) };
            self.report.partitions.push(PartitionOutcome {
                partition: p.partition,
                leader: p.leader,
                leader_host,
                replicas: p.replicas.clone(),
                isr: p.isr.clone(),
                acked: 0,
                read_back: 0,
                lost: 0,
                mismatched: 0,
                error: (p.leader < 0).then(|| "no leader".to_string()),
            });
        }
        if self.cancelled() {
            return;
        }
        let topic = self.report.topic.clone();
        let count = partitions.len();
        let seqs = |partition: i32| (0..opts.records).filter(move |s| topic::partition_of(*s, count) == partition);
        let started = Instant::now();
        let produced = futures_util::future::join_all(partitions.iter().map(|p| {
            let addr = leader_addr(p.leader);
            produce_partition(addr, auth, &topic, p.partition, seqs(p.partition).collect(), opts.timeout, cancel)
        }))
        .await;
        let latencies: Vec<Duration> = produced.iter().flat_map(|p| p.latencies.iter().copied()).collect();
        self.report.latency = report::latency(&latencies);
        for (outcome, prod) in self.report.partitions.iter_mut().zip(&produced) {
            outcome.acked = prod.acked.len() as u32;
            outcome.error = outcome.error.take().or_else(|| prod.error.clone());
        }
        let acked: usize = produced.iter().map(|p| p.acked.len()).sum();
        log(self.events, format!("{acked} record(s) acknowledged in {:.1} s", started.elapsed().as_secs_f64()));
        if self.cancelled() {
            return;
        }
        let read = futures_util::future::join_all(partitions.iter().map(|p| {
            let addr = leader_addr(p.leader);
            read_partition(addr, auth, &topic, p.partition, opts.timeout, cancel)
        }))
        .await;
        self.report.end_to_end_ms = Some(report::millis(started.elapsed()));
        for ((outcome, prod), (records, error)) in self.report.partitions.iter_mut().zip(&produced).zip(read) {
            let c = report::compare(&prod.acked, &records);
            outcome.read_back = c.matched;
            outcome.lost = c.lost;
            outcome.mismatched = c.mismatched;
            outcome.error = outcome.error.take().or(error);
        }
        let read_back: u32 = self.report.partitions.iter().map(|p| p.read_back).sum();
        log(self.events, format!("{read_back} record(s) read back unchanged from the leaders"));
        self.cancelled();
    }

    /// Polls the topic's Metadata until every partition has a leader (or the timeout passes: then as last seen).
    async fn led_partitions(&mut self) -> Option<Vec<PartitionState>> {
        let deadline = Instant::now() + self.opts.timeout;
        let wanted = self.brokers.len();
        let topics = [self.report.topic.clone()];
        let mut last = Vec::new();
        loop {
            for b in self.brokers {
                if let Ok((_, partitions)) = client::metadata(&b.addr, self.auth, Some(&topics)).await {
                    last = partitions.into_iter().filter(|p| p.partition >= 0).collect();
                    break;
                }
            }
            let led = last.len() == wanted && last.iter().all(|p: &PartitionState| p.leader >= 0);
            if led || Instant::now() >= deadline {
                break;
            }
            if self.cancelled() {
                return None;
            }
            tokio::time::sleep(RETRY_PAUSE).await;
        }
        if last.is_empty() {
            self.report.fail(format!(
                "the topic {} has no partitions after {} s",
                self.report.topic,
                self.opts.timeout.as_secs()
            ));
            return None;
        }
        Some(last)
    }
}

/// One partition's produce: latency per acknowledged record, the acknowledged records, what stopped it.
struct Produced {
    latencies: Vec<Duration>,
    acked: Vec<Stored>,
    error: Option<String>,
}

/// Sends each record alone with acks=all to the partition's leader, one after another; a partition still being
/// set up is retried until `timeout`; any other error stops the partition (NOT_ENOUGH_REPLICAS is the finding).
async fn produce_partition(
    leader: Option<String>,
    auth: &KafkaAuth,
    topic: &str,
    partition: i32,
    seqs: Vec<u32>,
    timeout: Duration,
    cancel: &Cancel,
) -> Produced {
    let mut out = Produced { latencies: Vec::new(), acked: Vec::new(), error: None };
    let Some(addr) = leader else { return out };
    let mut session = match Session::open(&addr, auth).await {
        Ok(s) => s,
        Err(e) => {
            out.error = Some(e.to_string());
            return out;
        }
    };
    for seq in seqs {
        if cancel.is_cancelled() {
            break;
        }
        let (key, value) = (topic::key(seq), topic::value(topic, partition, seq));
        let give_up = Instant::now() + timeout;
        loop {
            let sent = Instant::now();
            match session.produce(topic, partition, key.clone(), value.clone()).await {
                Ok((a, offset)) if a.code == 0 => {
                    out.latencies.push(sent.elapsed());
                    out.acked.push(Stored { offset, key: Some(key), value: Some(value) });
                    break;
                }
                Ok((a, _)) if client::settling(a.code) && Instant::now() < give_up => {
                    tokio::time::sleep(RETRY_PAUSE).await;
                }
                Ok((a, _)) => {
                    out.error = Some(a.describe());
                    return out;
                }
                Err(e) => {
                    out.error = Some(e.to_string());
                    return out;
                }
            }
        }
    }
    out
}

/// Fetches the partition from its leader from offset 0 up to its high watermark (every acknowledged record is below
/// it) or until `timeout`: the records read and what stopped the reading early.
async fn read_partition(
    leader: Option<String>,
    auth: &KafkaAuth,
    topic: &str,
    partition: i32,
    timeout: Duration,
    cancel: &Cancel,
) -> (Vec<Stored>, Option<String>) {
    let mut records: Vec<Stored> = Vec::new();
    let Some(addr) = leader else { return (records, None) };
    let mut session = match Session::open(&addr, auth).await {
        Ok(s) => s,
        Err(e) => return (records, Some(e.to_string())),
    };
    let give_up = Instant::now() + timeout;
    let mut offset = 0;
    loop {
        if cancel.is_cancelled() {
            return (records, None);
        }
        match session.fetch(topic, partition, offset, RETRY_PAUSE).await {
            Ok(f) if f.answer.code == 0 => {
                if let Some(last) = f.records.iter().map(|r| r.offset).max() {
                    offset = offset.max(last + 1);
                }
                records.extend(f.records.into_iter().filter(|r| r.offset >= 0));
                if offset >= f.high_watermark {
                    return (records, None);
                }
            }
            Ok(f) if client::settling(f.answer.code) => tokio::time::sleep(RETRY_PAUSE).await,
            Ok(f) => return (records, Some(format!("fetch: {}", f.answer.describe()))),
            Err(e) => return (records, Some(format!("fetch: {e}"))),
        }
        if Instant::now() >= give_up {
            return (records, Some(format!("fetch: not all records read back within {} s", timeout.as_secs())));
        }
    }
}
