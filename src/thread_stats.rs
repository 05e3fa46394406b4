//! `SYNACK_THREAD_STATS=1`: each stage of a batch run prints, to stderr, the CPU time its
//! thread used and when it finished (which stage a run waits on, without a profiler).

use std::time::Instant;

#[derive(Debug, Clone, Copy)]
pub struct ThreadStats(Option<Instant>);

impl ThreadStats {
    /// On when `SYNACK_THREAD_STATS` is set; times count from now.
    pub fn from_env() -> ThreadStats {
        ThreadStats(std::env::var_os("SYNACK_THREAD_STATS").map(|_| Instant::now()))
    }

    /// Off: reports nothing.
    pub const OFF: ThreadStats = ThreadStats(None);

    /// Prints the calling thread's CPU time as `stage`'s.
    pub fn report(self, stage: &str) {
        let Some(start) = self.0 else {
            return;
        };
        let mut t = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: clock_gettime writes the timespec it is given and nothing else.
        let cpu = if unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) } == 0 {
            t.tv_sec as f64 + t.tv_nsec as f64 / 1e9
        } else {
            f64::NAN
        };
        eprintln!(
            "synack: {stage} thread: {cpu:.3} s CPU, done {:.3} s after start",
            start.elapsed().as_secs_f64()
        );
    }
}
