//! Clocks and memory: ns per operation from an `Instant`, the process's CPU time, its
//! resident set size from `/proc/self/status`, its thread count from `/proc/self/task`,
//! and percentiles of a latency sample.

use std::fs;
use std::time::Duration;

/// Nanoseconds per operation.
pub fn ns_per_op(elapsed: Duration, operations: u64) -> f64 {
    elapsed.as_nanos() as f64 / operations as f64
}

/// CPU time the whole process has used so far, user plus system, every thread
/// included (smol's reactor may run a helper thread).
pub fn cpu_time() -> Duration {
    // SAFETY: rusage is plain integers, for which all-zero bytes are a valid value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: RUSAGE_SELF is a valid target and `usage` is live and writable.
    let result = unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    assert_eq!(result, 0, "getrusage failed");
    let time = |tv: libc::timeval| {
        Duration::from_secs(tv.tv_sec as u64) + Duration::from_micros(tv.tv_usec as u64)
    };
    time(usage.ru_utime) + time(usage.ru_stime)
}

/// The process's resident set size in bytes (`VmRSS`, which the kernel keeps in KiB).
pub fn resident_bytes() -> u64 {
    let status = fs::read_to_string("/proc/self/status").expect("cannot read /proc/self/status");
    let kib = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| {
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .ok()
        })
        .expect("/proc/self/status has no VmRSS line");
    kib * 1024
}

/// How many OS threads the process has: the entries of `/proc/self/task`, one per
/// thread, the main thread included.
pub fn threads() -> usize {
    fs::read_dir("/proc/self/task")
        .expect("cannot read /proc/self/task")
        .count()
}

/// The CPUs this process may run on, as the kernel lists them (`0-1`, `1`, ...).
pub fn allowed_cpus() -> String {
    fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("Cpus_allowed_list:"))
                .map(|cpus| cpus.trim().to_owned())
        })
        .unwrap_or_else(|| "?".to_owned())
}

/// The `p`-th percentile (0..=100) of `samples`, which it sorts; nearest-rank.
pub fn percentile(samples: &mut [u64], p: f64) -> u64 {
    assert!(!samples.is_empty(), "percentile of no samples");
    samples.sort_unstable();
    let rank = ((p / 100.0) * samples.len() as f64).ceil() as usize;
    samples[rank.clamp(1, samples.len()) - 1]
}
