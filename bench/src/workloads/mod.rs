//! The workloads, one module each. Every module holds the same logic three times, once
//! per runtime, side by side, differing only in the runtime's own `spawn`, `yield_now`,
//! timers, channels and `block_on`. The first five measure the executor, the next four
//! the timers, then the blocking pool, then (in `sync/`) the channels and locks, then
//! child processes.

pub mod blocking_round_trip;
pub mod cross_thread_wake;
pub mod parked_memory;
pub mod ping_pong_local;
pub mod process_spawn_wait;
pub mod spawn_join;
pub mod sync;
pub mod timeout_churn;
pub mod timer_arm_cancel;
pub mod timer_precision;
pub mod timers_many;
pub mod yield_loop;

use crate::report::{self, Spec};
use crate::runtimes::Runtime;

/// A workload, by the name the command line uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    /// [`spawn_join`]
    SpawnJoin,
    /// [`yield_loop`]
    YieldLoop,
    /// [`ping_pong_local`]
    PingPongLocal,
    /// [`parked_memory`]
    ParkedMemory,
    /// [`cross_thread_wake`]
    CrossThreadWake,
    /// [`timer_arm_cancel`]
    TimerArmCancel,
    /// [`timeout_churn`]
    TimeoutChurn,
    /// [`timer_precision`]
    Precision,
    /// [`timers_many`]
    TimersMany,
    /// [`blocking_round_trip`]
    BlockingRoundTrip,
    /// [`sync::mpsc_ping_pong`]
    MpscPingPong,
    /// [`sync::mpsc_stream`]
    MpscStream,
    /// [`sync::oneshot`]
    Oneshot,
    /// [`sync::mutex_uncontended`]
    MutexUncontended,
    /// [`sync::mutex_contended`]
    MutexContended,
    /// [`sync::remote_mpsc`]
    RemoteMpsc,
    /// [`sync::remote_mpsc_latency`]
    RemoteMpscLatency,
    /// [`process_spawn_wait`]
    ProcessSpawnWait,
}

impl Workload {
    /// Every workload, in table order.
    pub const ALL: [Workload; 18] = [
        Workload::SpawnJoin,
        Workload::YieldLoop,
        Workload::PingPongLocal,
        Workload::ParkedMemory,
        Workload::CrossThreadWake,
        Workload::TimerArmCancel,
        Workload::TimeoutChurn,
        Workload::Precision,
        Workload::TimersMany,
        Workload::BlockingRoundTrip,
        Workload::MpscPingPong,
        Workload::MpscStream,
        Workload::Oneshot,
        Workload::MutexUncontended,
        Workload::MutexContended,
        Workload::RemoteMpsc,
        Workload::RemoteMpscLatency,
        Workload::ProcessSpawnWait,
    ];

    /// The command-line name.
    pub fn name(self) -> &'static str {
        match self {
            Workload::SpawnJoin => "spawn_join",
            Workload::YieldLoop => "yield_loop",
            Workload::PingPongLocal => "ping_pong_local",
            Workload::ParkedMemory => "parked_memory",
            Workload::CrossThreadWake => "cross_thread_wake",
            Workload::TimerArmCancel => "timer_arm_cancel",
            Workload::TimeoutChurn => "timeout_churn",
            Workload::Precision => "precision",
            Workload::TimersMany => "timers_many",
            Workload::BlockingRoundTrip => "blocking_round_trip",
            Workload::MpscPingPong => "mpsc_ping_pong",
            Workload::MpscStream => "mpsc_stream",
            Workload::Oneshot => "oneshot",
            Workload::MutexUncontended => "mutex_uncontended",
            Workload::MutexContended => "mutex_contended",
            Workload::RemoteMpsc => "remote_mpsc",
            Workload::RemoteMpscLatency => "remote_mpsc_latency",
            Workload::ProcessSpawnWait => "process_spawn_wait",
        }
    }

    /// The workload called `name`, if any.
    pub fn from_name(name: &str) -> Option<Workload> {
        Workload::ALL.into_iter().find(|w| w.name() == name)
    }

    /// The table rows it fills, in the order [`measure`](Self::measure) returns values.
    pub fn rows(self) -> &'static [Spec] {
        match self {
            Workload::SpawnJoin => &[report::SPAWN_JOIN],
            Workload::YieldLoop => &[report::YIELD_LOOP],
            Workload::PingPongLocal => &[report::PING_PONG_LOCAL],
            Workload::ParkedMemory => &[report::PARKED_MEMORY],
            Workload::CrossThreadWake => {
                &[report::CROSS_THREAD_WAKE_P50, report::CROSS_THREAD_WAKE_P99]
            }
            Workload::TimerArmCancel => &[report::TIMER_ARM_CANCEL],
            Workload::TimeoutChurn => &[report::TIMEOUT_CHURN],
            Workload::Precision => &[
                report::PRECISION_P50,
                report::PRECISION_P99,
                report::PRECISION_MAX,
            ],
            Workload::TimersMany => &[
                report::TIMERS_MANY_WALL,
                report::TIMERS_MANY_CPU,
                report::TIMERS_MANY_LATE_P50,
                report::TIMERS_MANY_LATE_P99,
            ],
            Workload::BlockingRoundTrip => &[
                report::BLOCKING_ROUND_TRIP_P50,
                report::BLOCKING_ROUND_TRIP_P99,
            ],
            Workload::MpscPingPong => &[report::MPSC_PING_PONG],
            Workload::MpscStream => &[report::MPSC_STREAM],
            Workload::Oneshot => &[report::ONESHOT],
            Workload::MutexUncontended => &[report::MUTEX_UNCONTENDED],
            Workload::MutexContended => &[report::MUTEX_CONTENDED],
            Workload::RemoteMpsc => &[report::REMOTE_MPSC],
            Workload::RemoteMpscLatency => &[
                report::REMOTE_MPSC_LATENCY_P50,
                report::REMOTE_MPSC_LATENCY_P99,
            ],
            Workload::ProcessSpawnWait => &[
                report::PROCESS_SPAWN_WAIT_SEQUENTIAL,
                report::PROCESS_SPAWN_WAIT_CONCURRENT,
                report::PROCESS_SPAWN_WAIT_THREADS,
            ],
        }
    }

    /// How many runs to make when `requested` are asked for: the memory reading is
    /// only meaningful once per process, and the wake latency and the timer precision
    /// are distributions of 10,000 samples already.
    pub fn runs(self, requested: u32) -> u32 {
        match self {
            Workload::ParkedMemory
            | Workload::CrossThreadWake
            | Workload::Precision
            | Workload::BlockingRoundTrip
            | Workload::RemoteMpscLatency => 1,
            _ => requested,
        }
    }

    /// Runs the workload once on `runtime`, in this process; one value per row.
    pub fn measure(self, runtime: Runtime) -> Vec<f64> {
        match self {
            Workload::SpawnJoin => vec![spawn_join::run(runtime)],
            Workload::YieldLoop => vec![yield_loop::run(runtime)],
            Workload::PingPongLocal => vec![ping_pong_local::run(runtime)],
            Workload::ParkedMemory => vec![parked_memory::run(runtime)],
            Workload::CrossThreadWake => {
                let latency = cross_thread_wake::run(runtime);
                vec![latency.p50_us, latency.p99_us]
            }
            Workload::TimerArmCancel => vec![timer_arm_cancel::run(runtime)],
            Workload::TimeoutChurn => vec![timeout_churn::run(runtime)],
            Workload::Precision => {
                let lateness = timer_precision::run(runtime);
                vec![lateness.p50_us, lateness.p99_us, lateness.max_us]
            }
            Workload::TimersMany => {
                let many = timers_many::run(runtime);
                vec![
                    many.wall_ms,
                    many.cpu_ms,
                    many.late_p50_us,
                    many.late_p99_us,
                ]
            }
            Workload::BlockingRoundTrip => {
                let round_trip = blocking_round_trip::run(runtime);
                vec![round_trip.p50_us, round_trip.p99_us]
            }
            Workload::MpscPingPong => vec![sync::mpsc_ping_pong::run(runtime)],
            Workload::MpscStream => vec![sync::mpsc_stream::run(runtime)],
            Workload::Oneshot => vec![sync::oneshot::run(runtime)],
            Workload::MutexUncontended => vec![sync::mutex_uncontended::run(runtime)],
            Workload::MutexContended => vec![sync::mutex_contended::run(runtime)],
            Workload::RemoteMpsc => vec![sync::remote_mpsc::run(runtime)],
            Workload::RemoteMpscLatency => {
                let latency = sync::remote_mpsc_latency::run(runtime);
                vec![latency.p50_us, latency.p99_us]
            }
            Workload::ProcessSpawnWait => {
                let spawned = process_spawn_wait::run(runtime);
                vec![
                    spawned.sequential_us,
                    spawned.concurrent_us,
                    spawned.threads,
                ]
            }
        }
    }
}
