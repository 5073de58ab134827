//! Ctrl-C during a run: the first asks the run to stop after the hosts' current steps (a rolling restart: after the
//! current node is back and healthy), the second says what is still being waited for, the third aborts at once with
//! a warning. The run itself never leaves a host half-done on the first two; a re-run converges after the third.
//! The run log (written line by line, nothing buffered) gets its closing line and its path is printed before that
//! exit.

use super::runlog::Kept;
use kafka_wizard::apply::Cancel;
use kafka_wizard::runlog::RunResult;

/// What the user is told on each Ctrl-C.
fn notice(presses: u32) -> Option<&'static str> {
    match presses {
        1 => {
            Some("\ncancelling: hosts finish their current step (a restarting node: until it is back in the cluster)…")
        }
        2 => Some(
            "\nstill waiting for the hosts' current steps (an upload, a restart and its health check) to end; \
             press Ctrl-C once more to abort now",
        ),
        _ => None,
    }
}

/// Spawns (on the current tokio runtime) the task that turns Ctrl-C presses into `cancel` and, on the third, an exit
/// (the run log closed as aborted first).
pub fn cancel_on_ctrl_c(cancel: Cancel, log: Kept) {
    tokio::spawn(async move {
        let mut presses = 0;
        while tokio::signal::ctrl_c().await.is_ok() {
            presses += 1;
            cancel.cancel();
            match notice(presses) {
                Some(text) => eprintln!("{text}"),
                None => {
                    eprintln!(
                        "\naborted: a host may be in the middle of a step; run the same command again — every step \
                         is idempotent and a restart still owed is remembered on the host"
                    );
                    super::runlog::close(&log, (RunResult::Aborted, None));
                    std::process::exit(130);
                }
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_press_cancels_the_second_explains_and_the_third_aborts() {
        assert!(notice(1).unwrap().contains("cancelling"));
        assert!(notice(2).unwrap().contains("still waiting"));
        assert_eq!(notice(3), None);
    }
}
