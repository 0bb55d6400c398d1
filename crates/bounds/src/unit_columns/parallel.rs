//! Independent jobs (pricing MILPs) run side by side on a few threads, each
//! taking the next job as it finishes one, so a long MILP does not hold up
//! the short ones queued behind it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Runs `job(0) … job(count − 1)` on `workers` threads (at least 1, at
/// most `count`), in order of their index as threads free up. Returns the
/// results by index.
pub fn in_parallel<T: Send>(count: usize, workers: usize, job: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let next = AtomicUsize::new(0);
    let done: Mutex<Vec<(usize, T)>> = Mutex::new(Vec::with_capacity(count));
    std::thread::scope(|scope| {
        for _ in 0..workers.clamp(1, count.max(1)) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                if i >= count {
                    break;
                }
                let result = job(i);
                done.lock().expect("no job panics").push((i, result));
            });
        }
    });
    let mut done = done.into_inner().expect("no job panics");
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

/// Pricing threads for `jobs` jobs: `threads` when set, else the machine's
/// cores; and the solver threads each job gets (1 when several run at once).
pub fn workers(threads: Option<usize>, jobs: usize) -> (usize, Option<usize>) {
    let workers = threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .clamp(1, jobs.max(1));
    (workers, if workers > 1 { Some(1) } else { threads })
}
