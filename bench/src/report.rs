//! The results table: one row per measured quantity, a column per runtime, the ratios
//! evloop/tokio and evloop/smol (below 1 means evloop is faster or smaller), evloop's
//! target, and the tokio/smol numbers measured earlier on this machine for reference.

use crate::runtimes::Runtime;

/// What evloop should reach on a row.
#[derive(Debug, Clone, Copy)]
pub enum Target {
    /// At most this many units.
    AtMost(f64),
    /// At most what tokio measured in the same run.
    AtMostTokio,
    /// Below both tokio and smol in the same run.
    BelowPeers,
    /// At most these fractions of tokio's and of smol's value in the same run.
    FractionOfPeers { tokio: f64, smol: f64 },
    /// No target.
    None,
}

/// The fixed part of a row: what it measures, in which unit, and against what.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    /// The row's name (the workload, plus the statistic if there are several).
    pub label: &'static str,
    /// The unit of every value in the row.
    pub unit: &'static str,
    /// evloop's target.
    pub target: Target,
    /// tokio and smol, measured earlier on this machine.
    pub earlier: Option<[f64; 2]>,
}

pub const SPAWN_JOIN: Spec = Spec {
    label: "spawn_join",
    unit: "ns/task",
    target: Target::AtMost(150.0),
    earlier: Some([457.0, 197.0]),
};
pub const YIELD_LOOP: Spec = Spec {
    label: "yield_loop",
    unit: "ns/yield",
    target: Target::AtMost(30.0),
    earlier: Some([322.0, 59.0]),
};
pub const PING_PONG_LOCAL: Spec = Spec {
    label: "ping_pong_local",
    unit: "ns/hand-off",
    target: Target::AtMost(50.0),
    earlier: Some([68.0, 130.0]),
};
pub const PARKED_MEMORY: Spec = Spec {
    label: "parked_memory",
    unit: "B/task",
    target: Target::AtMost(128.0),
    earlier: Some([472.0, 161.0]),
};
pub const CROSS_THREAD_WAKE_P50: Spec = Spec {
    label: "cross_thread_wake p50",
    unit: "us",
    target: Target::AtMostTokio,
    earlier: Some([3.4, 4.4]),
};
pub const BLOCKING_ROUND_TRIP_P50: Spec = Spec {
    label: "blocking_round_trip p50",
    unit: "us",
    target: Target::AtMostTokio,
    earlier: None,
};
pub const BLOCKING_ROUND_TRIP_P99: Spec = Spec {
    label: "blocking_round_trip p99",
    unit: "us",
    target: Target::None,
    earlier: None,
};
pub const CROSS_THREAD_WAKE_P99: Spec = Spec {
    label: "cross_thread_wake p99",
    unit: "us",
    target: Target::None,
    earlier: None,
};

pub const TIMER_ARM_CANCEL: Spec = Spec {
    label: "timer_arm_cancel",
    unit: "ns/op",
    target: Target::AtMost(100.0),
    earlier: Some([514.0, 207.0]),
};
pub const TIMEOUT_CHURN: Spec = Spec {
    label: "timeout_churn",
    unit: "ns/op",
    target: Target::AtMost(5.0),
    earlier: Some([49.0, 5.0]),
};
pub const PRECISION_P50: Spec = Spec {
    label: "precision p50",
    unit: "us late",
    target: Target::None,
    earlier: None,
};
pub const PRECISION_P99: Spec = Spec {
    label: "precision p99",
    unit: "us late",
    target: Target::AtMost(50.0),
    earlier: None,
};
pub const PRECISION_MAX: Spec = Spec {
    label: "precision max",
    unit: "us late",
    target: Target::None,
    earlier: None,
};
pub const TIMERS_MANY_WALL: Spec = Spec {
    label: "timers_many wall",
    unit: "ms",
    target: Target::None,
    earlier: None,
};
pub const TIMERS_MANY_CPU: Spec = Spec {
    label: "timers_many CPU",
    unit: "ms",
    target: Target::AtMost(80.0),
    earlier: Some([101.0, 145.0]),
};
pub const TIMERS_MANY_LATE_P50: Spec = Spec {
    label: "timers_many p50",
    unit: "us late",
    target: Target::None,
    earlier: Some([1423.0, 6.0]),
};
pub const TIMERS_MANY_LATE_P99: Spec = Spec {
    label: "timers_many p99",
    unit: "us late",
    target: Target::BelowPeers,
    earlier: None,
};

/// The sync targets of issue 13: a local primitive at most a third of tokio's time
/// and half of smol's.
const SYNC_LOCAL: Target = Target::FractionOfPeers {
    tokio: 1.0 / 3.0,
    smol: 0.5,
};

pub const MPSC_PING_PONG: Spec = Spec {
    label: "mpsc_ping_pong",
    unit: "ns/round trip",
    target: SYNC_LOCAL,
    earlier: None,
};
pub const MPSC_STREAM: Spec = Spec {
    label: "mpsc_stream",
    unit: "ns/message",
    target: SYNC_LOCAL,
    earlier: None,
};
pub const ONESHOT: Spec = Spec {
    label: "oneshot",
    unit: "ns/channel",
    target: SYNC_LOCAL,
    earlier: None,
};
pub const MUTEX_UNCONTENDED: Spec = Spec {
    label: "mutex_uncontended",
    unit: "ns/lock",
    target: SYNC_LOCAL,
    earlier: None,
};
pub const MUTEX_CONTENDED: Spec = Spec {
    label: "mutex_contended",
    unit: "ns/lock",
    target: SYNC_LOCAL,
    earlier: None,
};
pub const REMOTE_MPSC: Spec = Spec {
    label: "remote_mpsc",
    unit: "ns/message",
    target: Target::AtMostTokio,
    earlier: None,
};
pub const REMOTE_MPSC_LATENCY_P50: Spec = Spec {
    label: "remote_mpsc_latency p50",
    unit: "us",
    target: Target::AtMostTokio,
    earlier: None,
};
pub const REMOTE_MPSC_LATENCY_P99: Spec = Spec {
    label: "remote_mpsc_latency p99",
    unit: "us",
    target: Target::None,
    earlier: None,
};

pub const PROCESS_SPAWN_WAIT_SEQUENTIAL: Spec = Spec {
    label: "process_spawn_wait sequential",
    unit: "us/child",
    target: Target::None,
    earlier: None,
};
pub const PROCESS_SPAWN_WAIT_CONCURRENT: Spec = Spec {
    label: "process_spawn_wait 50 at once",
    unit: "us/child",
    target: Target::None,
    earlier: None,
};
pub const PROCESS_SPAWN_WAIT_THREADS: Spec = Spec {
    label: "process_spawn_wait threads",
    unit: "threads",
    target: Target::None,
    earlier: None,
};

/// One row: the spec and a value per runtime (`None`: not run).
#[derive(Debug, Clone, Copy)]
pub struct Row {
    pub spec: Spec,
    /// Indexed by [`Runtime::index`].
    pub values: [Option<f64>; 3],
}

/// Prints `rows` as a fixed-width table.
pub fn print(rows: &[Row]) {
    let header = [
        "workload",
        "unit",
        "evloop",
        "tokio",
        "smol",
        "ev/tokio",
        "ev/smol",
        "target",
        "met",
        "earlier tokio/smol",
    ];
    let mut lines = vec![header.map(str::to_owned).to_vec()];
    for row in rows {
        lines.push(cells(row));
    }
    let widths: Vec<usize> = (0..header.len())
        .map(|column| {
            lines
                .iter()
                .map(|line| line[column].len())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for (n, line) in lines.iter().enumerate() {
        let text: Vec<String> = line
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(column, (cell, &width))| {
                if column < 2 {
                    format!("{cell:<width$}")
                } else {
                    format!("{cell:>width$}")
                }
            })
            .collect();
        println!("{}", text.join("  ").trim_end());
        if n == 0 {
            println!(
                "{}",
                "-".repeat(widths.iter().sum::<usize>() + 2 * (widths.len() - 1))
            );
        }
    }
}

fn cells(row: &Row) -> Vec<String> {
    let value = |runtime: Runtime| row.values[runtime.index()];
    let evloop = value(Runtime::Evloop);
    let ratio = |other: Option<f64>| match (evloop, other) {
        (Some(ev), Some(other)) if other > 0.0 => format!("{:.2}x", ev / other),
        _ => "-".to_owned(),
    };
    let peers = value(Runtime::Tokio).zip(value(Runtime::Smol));
    // The limit, and whether evloop may equal it.
    let target = match row.spec.target {
        Target::AtMost(limit) => Some((limit, true)),
        Target::AtMostTokio => value(Runtime::Tokio).map(|tokio| (tokio, true)),
        Target::BelowPeers => peers.map(|(tokio, smol)| (tokio.min(smol), false)),
        Target::FractionOfPeers {
            tokio: of_tokio,
            smol: of_smol,
        } => peers.map(|(tokio, smol)| ((tokio * of_tokio).min(smol * of_smol), true)),
        Target::None => None,
    };
    let target_text = match row.spec.target {
        Target::AtMost(limit) => format!("<= {}", number(limit)),
        Target::AtMostTokio => "<= tokio".to_owned(),
        Target::BelowPeers => "< both".to_owned(),
        Target::FractionOfPeers { tokio, smol } => {
            format!("<= tokio/{:.0}, smol/{:.0}", 1.0 / tokio, 1.0 / smol)
        }
        Target::None => "-".to_owned(),
    };
    let met = match (evloop, target) {
        (Some(ev), Some((limit, inclusive))) if ev.is_finite() => {
            let met = ev < limit || (inclusive && ev == limit);
            if met { "yes" } else { "NO" }.to_owned()
        }
        _ => "-".to_owned(),
    };
    let earlier = match row.spec.earlier {
        Some([tokio, smol]) => format!("{} / {}", number(tokio), number(smol)),
        None => "-".to_owned(),
    };
    vec![
        row.spec.label.to_owned(),
        row.spec.unit.to_owned(),
        optional(evloop),
        optional(value(Runtime::Tokio)),
        optional(value(Runtime::Smol)),
        ratio(value(Runtime::Tokio)),
        ratio(value(Runtime::Smol)),
        target_text,
        met,
        earlier,
    ]
}

fn optional(value: Option<f64>) -> String {
    value.map_or_else(|| "-".to_owned(), number)
}

/// Three significant digits or so, whatever the magnitude.
fn number(value: f64) -> String {
    if !value.is_finite() {
        "n/a".to_owned()
    } else if value.fract() == 0.0 {
        format!("{value:.0}")
    } else if value < 10.0 {
        format!("{value:.2}")
    } else if value < 1000.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.0}")
    }
}
