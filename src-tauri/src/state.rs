//! The app's one piece of managed state: the running job (install or operation), so Cancel can reach it and a
//! second job is refused while one runs.

use crate::error::{AppError, AppResult, ErrorCode};
use kafka_wizard::apply::Cancel;
use std::sync::Mutex;

/// `.manage`d once in [`crate::builder`].
#[derive(Default)]
pub struct Jobs {
    running: Mutex<Option<Cancel>>,
}

/// Marks a job as running until dropped.
pub struct JobGuard<'a> {
    jobs: &'a Jobs,
    pub cancel: Cancel,
}

impl Jobs {
    /// Starts a job, or refuses with `busy` when another one runs.
    pub fn begin(&self) -> AppResult<JobGuard<'_>> {
        let mut running = self.running.lock().expect("jobs lock");
        if running.is_some() {
            return Err(AppError::new(
                ErrorCode::Busy,
                "another install or operation is still running — wait for it or cancel it",
            ));
        }
        let cancel = Cancel::default();
        *running = Some(cancel.clone());
        Ok(JobGuard { jobs: self, cancel })
    }

    /// Asks the running job to stop after the hosts' current steps. Returns whether a job was running.
    pub fn cancel(&self) -> bool {
        match &*self.running.lock().expect("jobs lock") {
            Some(cancel) => {
                cancel.cancel();
                true
            }
            None => false,
        }
    }
}

impl Drop for JobGuard<'_> {
    fn drop(&mut self) {
        *self.jobs.running.lock().expect("jobs lock") = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_job_is_refused_while_one_runs_and_allowed_after() {
        let jobs = Jobs::default();
        let first = jobs.begin().unwrap();
        assert_eq!(jobs.begin().err().unwrap().code, ErrorCode::Busy);
        assert!(jobs.cancel());
        assert!(first.cancel.is_cancelled());
        drop(first);
        assert!(!jobs.cancel());
        assert!(jobs.begin().is_ok());
    }
}
