//! The generator's own CPU time (getrusage), so a report can say whether the generator or the
//! server was the bottleneck.

use std::time::Duration;

/// User and system CPU time of this process.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CpuTime {
    /// In user space.
    pub user: Duration,
    /// In the kernel on the process's behalf.
    pub system: Duration,
}

impl CpuTime {
    /// The process's CPU time so far (all threads); zero where getrusage is unavailable.
    pub fn now() -> CpuTime {
        #[cfg(unix)]
        {
            // SAFETY: rusage is plain old data (all-zero is a valid value) and getrusage only
            // writes into the struct it is given.
            let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
            // SAFETY: RUSAGE_SELF with a valid pointer to a rusage; it cannot fail with these.
            if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) } == 0 {
                let t = |tv: libc::timeval| {
                    Duration::from_secs(u64::try_from(tv.tv_sec).unwrap_or(0))
                        + Duration::from_micros(u64::try_from(tv.tv_usec).unwrap_or(0))
                };
                return CpuTime {
                    user: t(ru.ru_utime),
                    system: t(ru.ru_stime),
                };
            }
        }
        CpuTime::default()
    }

    /// The time spent between `earlier` and this.
    pub fn since(self, earlier: CpuTime) -> CpuTime {
        CpuTime {
            user: self.user.saturating_sub(earlier.user),
            system: self.system.saturating_sub(earlier.system),
        }
    }

    /// User plus system.
    pub fn total(self) -> Duration {
        self.user + self.system
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busy_work_shows_up_as_cpu_time() {
        let before = CpuTime::now();
        let start = std::time::Instant::now();
        let mut x = 0u64;
        // Bounded by wall time: on a busy machine the CPU time grows slower than the clock.
        while CpuTime::now().since(before).total() < Duration::from_millis(20)
            && start.elapsed() < Duration::from_secs(10)
        {
            for _ in 0..10_000 {
                x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(7));
            }
        }
        let used = CpuTime::now().since(before);
        assert!(used.total() >= Duration::from_millis(20), "{used:?}");
    }
}
