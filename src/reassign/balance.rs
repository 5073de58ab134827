//! The replica planner (pure): from each partition's replicas and the brokers that should hold them, the fewest
//! reassignments that leave every broker within one replica of an even share and every broker within one of an
//! even share of preferred leaderships (the first replica, which preferred leader election makes the leader).
//! Replicas of one partition always stay on distinct brokers; a replica keeps its position in the list when it
//! moves, so a move of a follower never changes who leads. Rack-unaware.

use std::collections::{BTreeMap, BTreeSet};

/// One partition and its replicas, in Kafka's order (the first is the preferred leader).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct PartitionReplicas {
    pub topic: String,
    pub partition: i32,
    pub replicas: Vec<i32>,
}

/// A partition's replicas now and after: a reassignment to ask Kafka for.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
pub struct Reassignment {
    pub topic: String,
    pub partition: i32,
    pub from: Vec<i32>,
    pub to: Vec<i32>,
}

impl Reassignment {
    /// The brokers that get a new copy of the partition (data moves to them).
    pub fn added(&self) -> Vec<i32> {
        self.to.iter().copied().filter(|b| !self.from.contains(b)).collect()
    }

    /// Whether only the order changes (no data moves: a leadership swap).
    pub fn reorder_only(&self) -> bool {
        self.added().is_empty()
    }
}

impl std::fmt::Display for Reassignment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{} {:?} → {:?}", self.topic, self.partition, self.from, self.to)
    }
}

/// How many replicas and preferred leaderships each broker holds.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
pub struct BrokerLoad {
    pub broker: i32,
    pub replicas: usize,
    pub leaders: usize,
}

/// Per broker of `brokers` (and any other broker holding a replica), replicas and first replicas, sorted by id.
pub fn loads(partitions: &[PartitionReplicas], brokers: &[i32]) -> Vec<BrokerLoad> {
    let mut map: BTreeMap<i32, BrokerLoad> =
        brokers.iter().map(|&b| (b, BrokerLoad { broker: b, ..BrokerLoad::default() })).collect();
    for p in partitions {
        for (i, &b) in p.replicas.iter().enumerate() {
            let load = map.entry(b).or_insert(BrokerLoad { broker: b, ..BrokerLoad::default() });
            load.replicas += 1;
            if i == 0 {
                load.leaders += 1;
            }
        }
    }
    map.into_values().collect()
}

/// Everything off brokers outside `brokers`, then replicas evened out, then preferred leaders evened out:
/// the rebalance.
pub fn balance(partitions: &[PartitionReplicas], brokers: &[i32]) -> Vec<Reassignment> {
    let mut work = partitions.to_vec();
    work.sort();
    drain_into(&mut work, brokers);
    even_replicas(&mut work, brokers);
    even_leaders(&mut work, brokers);
    changes(partitions, &work)
}

/// Every replica on a broker outside `brokers` moved onto the least-loaded of `brokers`, then preferred leaders
/// evened out (order only): a decommission, with nothing else moved.
pub fn drain(partitions: &[PartitionReplicas], brokers: &[i32]) -> Vec<Reassignment> {
    let mut work = partitions.to_vec();
    work.sort();
    drain_into(&mut work, brokers);
    even_leaders(&mut work, brokers);
    changes(partitions, &work)
}

fn changes(before: &[PartitionReplicas], after: &[PartitionReplicas]) -> Vec<Reassignment> {
    let old: BTreeMap<(&str, i32), &Vec<i32>> =
        before.iter().map(|p| ((p.topic.as_str(), p.partition), &p.replicas)).collect();
    after
        .iter()
        .filter_map(|p| {
            let from = old.get(&(p.topic.as_str(), p.partition))?;
            (**from != p.replicas).then(|| Reassignment {
                topic: p.topic.clone(),
                partition: p.partition,
                from: (*from).clone(),
                to: p.replicas.clone(),
            })
        })
        .collect()
}

fn replica_counts(work: &[PartitionReplicas], brokers: &[i32]) -> BTreeMap<i32, usize> {
    let mut counts: BTreeMap<i32, usize> = brokers.iter().map(|&b| (b, 0)).collect();
    for p in work {
        for b in &p.replicas {
            if let Some(c) = counts.get_mut(b) {
                *c += 1;
            }
        }
    }
    counts
}

fn leader_counts(work: &[PartitionReplicas], brokers: &[i32]) -> BTreeMap<i32, usize> {
    let mut counts: BTreeMap<i32, usize> = brokers.iter().map(|&b| (b, 0)).collect();
    for p in work {
        if let Some(c) = p.replicas.first().and_then(|b| counts.get_mut(b)) {
            *c += 1;
        }
    }
    counts
}

/// Brokers by ascending count, ties by id.
fn by_count(counts: &BTreeMap<i32, usize>) -> Vec<i32> {
    let mut ids: Vec<i32> = counts.keys().copied().collect();
    ids.sort_by_key(|b| (counts[b], *b));
    ids
}

fn drain_into(work: &mut [PartitionReplicas], brokers: &[i32]) {
    let allowed: BTreeSet<i32> = brokers.iter().copied().collect();
    let mut counts = replica_counts(work, brokers);
    for p in work.iter_mut() {
        for i in 0..p.replicas.len() {
            if allowed.contains(&p.replicas[i]) {
                continue;
            }
            let target = by_count(&counts).into_iter().find(|b| !p.replicas.contains(b));
            if let Some(target) = target {
                p.replicas[i] = target;
                *counts.get_mut(&target).expect("a counted broker") += 1;
            }
        }
    }
}

/// While the fullest broker holds two or more replicas more than the emptiest, move one of its replicas (a follower
/// when it has one, unless it leads more than its share) to the emptiest broker that lacks that partition. Each move lowers the sum of squared counts,
/// so this ends; it moves exactly the replicas above the even share.
fn even_replicas(work: &mut [PartitionReplicas], brokers: &[i32]) {
    loop {
        let counts = replica_counts(work, brokers);
        let order = by_count(&counts);
        let (Some(&full), Some(&empty)) = (order.last(), order.first()) else { return };
        if counts[&full] <= counts[&empty] + 1 {
            return;
        }
        // Receivers: brokers at least two below the fullest, emptiest first.
        let receivers: Vec<i32> = order.iter().copied().filter(|b| counts[b] + 1 < counts[&full]).collect();
        // A broker that leads more than its share gives away a led replica first (an RF=1 partition can only
        // change its leader this way); otherwise a follower, so leadership stays where it is.
        let leaders = leader_counts(work, brokers);
        let leader_share = work.len().div_ceil(brokers.len().max(1));
        let order_of_kinds = if leaders[&full] > leader_share { [false, true] } else { [true, false] };
        let mut moved = false;
        'search: for receiver in receivers {
            for follower_first in order_of_kinds {
                let found = work.iter().position(|p| {
                    let at = p.replicas.iter().position(|&b| b == full);
                    at.is_some_and(|i| (i > 0) == follower_first) && !p.replicas.contains(&receiver)
                });
                if let Some(index) = found {
                    let p = &mut work[index];
                    let at = p.replicas.iter().position(|&b| b == full).expect("found above");
                    p.replicas[at] = receiver;
                    moved = true;
                    break 'search;
                }
            }
        }
        if !moved {
            return;
        }
    }
}

/// While one broker is the preferred leader of two or more partitions more than another, swap the first replica of
/// one of its partitions with a replica on a broker with fewer (order only, no data moves).
fn even_leaders(work: &mut [PartitionReplicas], brokers: &[i32]) {
    loop {
        let counts = leader_counts(work, brokers);
        let order = by_count(&counts);
        let (Some(&most), Some(&least)) = (order.last(), order.first()) else { return };
        if counts[&most] <= counts[&least] + 1 {
            return;
        }
        let receivers: Vec<i32> = order.iter().copied().filter(|b| counts[b] + 1 < counts[&most]).collect();
        let mut swapped = false;
        'search: for receiver in receivers {
            if let Some(p) =
                work.iter_mut().find(|p| p.replicas.first() == Some(&most) && p.replicas.contains(&receiver))
            {
                let at = p.replicas.iter().position(|&b| b == receiver).expect("contains");
                p.replicas.swap(0, at);
                swapped = true;
                break 'search;
            }
        }
        if !swapped {
            return;
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// `count` partitions of `topic` with replication factor `rf` on `brokers`, round-robin like Kafka's creation.
    pub(crate) fn topic(topic: &str, count: i32, rf: usize, brokers: &[i32]) -> Vec<PartitionReplicas> {
        (0..count)
            .map(|p| PartitionReplicas {
                topic: topic.into(),
                partition: p,
                replicas: (0..rf).map(|r| brokers[(p as usize + r) % brokers.len()]).collect(),
            })
            .collect()
    }

    fn apply(partitions: &[PartitionReplicas], moves: &[Reassignment]) -> Vec<PartitionReplicas> {
        let mut out = partitions.to_vec();
        for m in moves {
            let p = out.iter_mut().find(|p| p.topic == m.topic && p.partition == m.partition).unwrap();
            assert_eq!(p.replicas, m.from);
            p.replicas = m.to.clone();
        }
        out
    }

    fn assert_even(partitions: &[PartitionReplicas], brokers: &[i32]) {
        let loads = loads(partitions, brokers);
        let replicas: Vec<usize> = loads.iter().map(|l| l.replicas).collect();
        let leaders: Vec<usize> = loads.iter().map(|l| l.leaders).collect();
        assert_eq!(loads.len(), brokers.len(), "only the target brokers hold replicas: {loads:?}");
        assert!(replicas.iter().max().unwrap() - replicas.iter().min().unwrap() <= 1, "replicas {replicas:?}");
        assert!(leaders.iter().max().unwrap() - leaders.iter().min().unwrap() <= 1, "leaders {leaders:?}");
        for p in partitions {
            let distinct: BTreeSet<i32> = p.replicas.iter().copied().collect();
            assert_eq!(distinct.len(), p.replicas.len(), "{p:?} has a broker twice");
        }
    }

    fn moved_replicas(moves: &[Reassignment]) -> usize {
        moves.iter().map(|m| m.added().len()).sum()
    }

    #[test]
    fn a_fourth_broker_gets_an_even_share_of_replicas_and_leaders_with_the_fewest_copies() {
        let old = [1, 2, 3];
        let mut partitions = topic("orders", 12, 3, &old);
        partitions.extend(topic("events", 12, 2, &old));
        let brokers = [1, 2, 3, 4];
        let moves = balance(&partitions, &brokers);
        let after = apply(&partitions, &moves);
        assert_even(&after, &brokers);
        // 60 replicas over 4 brokers: 15 each, so exactly 15 copies move to broker 4 and no other copy moves.
        assert_eq!(moved_replicas(&moves), 15, "{moves:#?}");
        assert!(moves.iter().all(|m| m.added().iter().all(|&b| b == 4)), "{moves:#?}");
        assert_eq!(loads(&after, &brokers)[3], BrokerLoad { broker: 4, replicas: 15, leaders: 6 });
    }

    #[test]
    fn a_balanced_cluster_needs_no_reassignment() {
        let brokers = [1, 2, 3];
        let mut partitions = topic("orders", 12, 3, &brokers);
        partitions.extend(topic("events", 7, 2, &brokers));
        let moves = balance(&partitions, &brokers);
        assert_eq!(moves, vec![]);
        let after = apply(&partitions, &balance(&apply(&partitions, &moves), &brokers));
        assert_eq!(balance(&after, &brokers), vec![], "a second plan after the first is empty");
    }

    #[test]
    fn a_rebalance_is_idempotent() {
        let mut partitions = topic("a", 10, 3, &[1, 2, 3]);
        partitions.extend(topic("b", 5, 1, &[1]));
        let brokers = [1, 2, 3, 4, 5];
        let after = apply(&partitions, &balance(&partitions, &brokers));
        assert_even(&after, &brokers);
        assert_eq!(balance(&after, &brokers), vec![]);
    }

    #[test]
    fn draining_a_broker_moves_only_its_replicas_and_keeps_the_rest_even() {
        let brokers = [1, 2, 3, 4];
        let mut partitions = topic("orders", 12, 3, &brokers);
        partitions.extend(topic("events", 12, 2, &brokers));
        let on_four = partitions.iter().filter(|p| p.replicas.contains(&4)).count();
        let remaining = [1, 2, 3];
        let moves = drain(&partitions, &remaining);
        let after = apply(&partitions, &moves);
        assert_even(&after, &remaining);
        assert_eq!(moved_replicas(&moves), on_four, "one copy per replica broker 4 held");
        for m in moves.iter().filter(|m| !m.reorder_only()) {
            assert!(m.from.contains(&4) && !m.to.contains(&4), "{m}");
        }
    }

    #[test]
    fn replicas_of_one_partition_never_share_a_broker_even_when_the_cluster_is_as_small_as_the_factor() {
        let partitions = topic("t", 6, 3, &[1, 2, 3, 4]);
        let moves = drain(&partitions, &[1, 2, 3]);
        let after = apply(&partitions, &moves);
        for p in &after {
            let mut r = p.replicas.clone();
            r.sort();
            assert_eq!(r, vec![1, 2, 3]);
        }
        assert_even(&after, &[1, 2, 3]);
    }

    #[test]
    fn loads_count_replicas_and_preferred_leaders_per_broker() {
        let partitions = topic("t", 3, 2, &[1, 2, 3]);
        assert_eq!(
            loads(&partitions, &[1, 2, 3, 4]),
            vec![
                BrokerLoad { broker: 1, replicas: 2, leaders: 1 },
                BrokerLoad { broker: 2, replicas: 2, leaders: 1 },
                BrokerLoad { broker: 3, replicas: 2, leaders: 1 },
                BrokerLoad { broker: 4, replicas: 0, leaders: 0 },
            ]
        );
    }
}
