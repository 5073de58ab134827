//! The engine's events toward the UI in batches: a run on many hosts emits hundreds of events a second (each
//! upload's byte counts, every step of every host), and one IPC message per event would keep the webview's main
//! thread busy decoding and folding them while the operator clicks. A batch leaves at once when the stream was
//! quiet (the first event of a step shows without delay), then at most every [`BATCH_INTERVAL`]; order is kept, and
//! dropping the [`EventBatch`] sends what is left before the command returns, so the UI has every event before the
//! command's result.

use kafka_wizard::events::{Event, EventSink};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// The least time between two batches: the UI redraws with each, so this caps its redraws at 10 a second.
pub(crate) const BATCH_INTERVAL: Duration = Duration::from_millis(100);

#[derive(Default)]
struct Queue {
    events: Vec<Event>,
    closed: bool,
}

#[derive(Default)]
struct Shared {
    queue: Mutex<Queue>,
    changed: Condvar,
}

/// A run's events, gathered and sent in batches on a thread of their own until dropped.
pub(crate) struct EventBatch {
    shared: Arc<Shared>,
    sender: Option<JoinHandle<()>>,
}

impl EventBatch {
    /// Starts the sending thread; `send` carries one batch to the UI (a `Channel<Vec<Event>>`'s send).
    pub(crate) fn new(send: impl Fn(Vec<Event>) + Send + 'static) -> EventBatch {
        EventBatch::with_interval(BATCH_INTERVAL, send)
    }

    fn with_interval(interval: Duration, send: impl Fn(Vec<Event>) + Send + 'static) -> EventBatch {
        let shared = Arc::new(Shared::default());
        let theirs = shared.clone();
        let sender = std::thread::Builder::new()
            .name("ui-events".into())
            .spawn(move || send_batches(&theirs, interval, send))
            .expect("a thread for the UI's events");
        EventBatch { shared, sender: Some(sender) }
    }

    /// The sink to give the engine: it only queues.
    pub(crate) fn sink(&self) -> EventSink {
        let shared = self.shared.clone();
        Arc::new(move |event| {
            let mut queue = shared.queue.lock().unwrap_or_else(|e| e.into_inner());
            queue.events.push(event);
            if queue.events.len() == 1 {
                shared.changed.notify_one();
            }
        })
    }
}

impl Drop for EventBatch {
    fn drop(&mut self) {
        self.shared.queue.lock().unwrap_or_else(|e| e.into_inner()).closed = true;
        self.shared.changed.notify_one();
        if let Some(sender) = self.sender.take() {
            let _ = sender.join();
        }
    }
}

fn send_batches(shared: &Shared, interval: Duration, send: impl Fn(Vec<Event>)) {
    loop {
        let (batch, closed) = {
            let mut queue = shared.queue.lock().unwrap_or_else(|e| e.into_inner());
            while queue.events.is_empty() && !queue.closed {
                queue = shared.changed.wait(queue).unwrap_or_else(|e| e.into_inner());
            }
            (std::mem::take(&mut queue.events), queue.closed)
        };
        if !batch.is_empty() {
            send(batch);
        }
        if closed {
            // whatever was queued before the close was in this batch; nothing is queued after it
            return;
        }
        // the next batch gathers for an interval (a close ends the wait: the rest goes out at once)
        let queue = shared.queue.lock().unwrap_or_else(|e| e.into_inner());
        drop(shared.changed.wait_timeout_while(queue, interval, |q| !q.closed));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kafka_wizard::events::Target;
    use std::time::Instant;

    fn log(n: usize) -> Event {
        Event::Log { target: Target::Wizard, message: format!("line {n}") }
    }

    fn numbers(batches: &[Vec<Event>]) -> Vec<String> {
        batches
            .iter()
            .flatten()
            .map(|e| match e {
                Event::Log { message, .. } => message.clone(),
                other => panic!("{other:?}"),
            })
            .collect()
    }

    /// The batches a sender was given, in order.
    type Sent = Arc<Mutex<Vec<Vec<Event>>>>;

    fn recording() -> (Sent, impl Fn(Vec<Event>) + Send + 'static) {
        let sent = Arc::new(Mutex::new(Vec::new()));
        let theirs = sent.clone();
        (sent, move |batch| theirs.lock().unwrap().push(batch))
    }

    /// Waits (bounded) until `n` batches were sent.
    fn until_sent(sent: &Mutex<Vec<Vec<Event>>>, n: usize) {
        let started = Instant::now();
        while sent.lock().unwrap().len() < n {
            assert!(started.elapsed() < Duration::from_secs(5), "batch {n} not sent");
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    #[test]
    fn an_event_after_a_quiet_spell_goes_at_once_and_a_burst_after_it_waits_for_the_interval_or_the_drop() {
        let (sent, send) = recording();
        // an interval far longer than the test: a batch sent before the drop was sent at once
        let batch = EventBatch::with_interval(Duration::from_secs(600), send);
        let sink = batch.sink();
        sink(log(0));
        until_sent(&sent, 1);
        for n in 1..=500 {
            sink(log(n));
        }
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(sent.lock().unwrap().len(), 1, "the burst waits for the interval");
        drop(batch);
        let sent = sent.lock().unwrap();
        assert_eq!(sent.iter().map(Vec::len).collect::<Vec<_>>(), vec![1, 500], "the rest in one batch at the drop");
        let expected: Vec<String> = (0..=500).map(|n| format!("line {n}")).collect();
        assert_eq!(numbers(&sent), expected, "in order");
    }

    #[test]
    fn a_steady_stream_arrives_in_order_a_batch_per_interval_and_all_of_it_before_the_drop_returns() {
        let (sent, send) = recording();
        let batch = EventBatch::new(send);
        let sink = batch.sink();
        let started = Instant::now();
        let mut pushed = 0;
        while started.elapsed() < BATCH_INTERVAL * 5 {
            sink(log(pushed));
            pushed += 1;
            std::thread::sleep(Duration::from_micros(200));
        }
        drop(batch);
        let sent = sent.lock().unwrap();
        let expected: Vec<String> = (0..pushed).map(|n| format!("line {n}")).collect();
        assert_eq!(numbers(&sent), expected, "every event, in order, none after the drop");
        // five intervals: the first batch at once, one per interval after it, the rest at the drop
        assert!(sent.len() <= 7, "{} batches for {pushed} events", sent.len());
        assert!(pushed > 10 * sent.len(), "{pushed} events in {} batches", sent.len());
    }

    #[test]
    fn dropping_a_batch_without_events_sends_nothing() {
        let (sent, send) = recording();
        drop(EventBatch::new(send));
        assert!(sent.lock().unwrap().is_empty());
    }
}
