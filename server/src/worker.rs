//! The job worker loop: turns of the `JobRunner` back to back while jobs are due,
//! a poll interval apart when the queue is idle or unreachable.

use std::sync::Arc;
use std::time::Duration;

use tenantry_application::jobs::{JobRunner, Turn};
use tokio::sync::Notify;

/// A running worker; `stop` lets the job in progress finish.
pub(crate) struct WorkerHandle {
    stop: Arc<Notify>,
    task: tokio::task::JoinHandle<()>,
}

impl WorkerHandle {
    pub(crate) async fn stop(self) {
        self.stop.notify_one();
        if let Err(error) = self.task.await {
            tracing::error!(%error, "the job worker ended abnormally");
        }
    }
}

/// Starts a worker; it first lets every job handler prepare (the files module
/// queues its recurring purge and sweeps what a crash left in the blob store).
pub(crate) fn spawn(runner: JobRunner, poll_interval_ms: u64) -> WorkerHandle {
    let stop = Arc::new(Notify::new());
    let stopped = stop.clone();
    let idle = Duration::from_millis(poll_interval_ms.max(10));
    let task = tokio::spawn(async move {
        runner.start().await;
        loop {
            let wait = match runner.turn().await {
                Ok(Turn::Idle) => idle,
                Ok(_) => Duration::ZERO,
                Err(error) => {
                    tracing::warn!(%error, "the job queue is unreachable; retrying");
                    idle
                }
            };
            tokio::select! {
                () = stopped.notified() => return,
                () = tokio::time::sleep(wait) => {}
            }
        }
    });
    WorkerHandle { stop, task }
}

/// Resolves on Ctrl-C or (on Unix) SIGTERM.
pub(crate) async fn stop_signal() -> std::io::Result<()> {
    #[cfg(unix)]
    {
        let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        tokio::select! {
            result = tokio::signal::ctrl_c() => result,
            _ = terminate.recv() => Ok(()),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await
    }
}
