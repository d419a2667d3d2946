//! The benchmark: runs the executor and timer workloads on evloop, tokio
//! (current-thread) and smol (`LocalExecutor`) in one run and prints one table. See
//! `bench/README.md`.
//!
//! ```text
//! executor [WORKLOAD...] [--runtime NAME]... [--reps N]
//! ```
//!
//! With no workload, runs them all; with no `--runtime`, all three. Every (workload,
//! runtime) pair runs in a fresh child process. Timed workloads run `--reps` times
//! (default 3) there and the table keeps the best run; parked_memory,
//! cross_thread_wake and precision run once.

use std::env;
use std::process::ExitCode;

use evloop_bench::child::{self, CHILD_ARG};
use evloop_bench::measure::allowed_cpus;
use evloop_bench::report::{self, Row};
use evloop_bench::runtimes::Runtime;
use evloop_bench::workloads::Workload;

struct Options {
    workloads: Vec<Workload>,
    runtimes: Vec<Runtime>,
    reps: u32,
}

const USAGE: &str = "usage: executor [WORKLOAD...] [--runtime evloop|tokio|smol]... [--reps N]\n\
    workloads: spawn_join yield_loop ping_pong_local parked_memory cross_thread_wake\n\
    timer_arm_cancel timeout_churn precision timers_many blocking_round_trip\n\
    mpsc_ping_pong mpsc_stream oneshot mutex_uncontended mutex_contended remote_mpsc\n\
    remote_mpsc_latency process_spawn_wait";

fn parse(args: &[String]) -> Result<Options, String> {
    let mut options = Options {
        workloads: Vec::new(),
        runtimes: Vec::new(),
        reps: 3,
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--runtime" => {
                let name = args.next().ok_or("--runtime needs a name")?;
                let runtime = Runtime::from_name(name).ok_or(format!("unknown runtime {name}"))?;
                options.runtimes.push(runtime);
            }
            "--reps" => {
                let reps = args.next().and_then(|n| n.parse().ok()).filter(|&n| n > 0);
                options.reps = reps.ok_or("--reps needs a positive number")?;
            }
            name => match Workload::from_name(name) {
                Some(workload) => options.workloads.push(workload),
                None => return Err(format!("unknown argument {name}")),
            },
        }
    }
    if options.workloads.is_empty() {
        options.workloads = Workload::ALL.to_vec();
    }
    if options.runtimes.is_empty() {
        options.runtimes = Runtime::ALL.to_vec();
    }
    Ok(options)
}

/// Measures `workload` on every selected runtime; one row per statistic, each value
/// the lowest (best) of the runs.
fn measure(workload: Workload, options: &Options) -> Vec<Row> {
    let mut rows: Vec<Row> = workload
        .rows()
        .iter()
        .map(|&spec| Row {
            spec,
            values: [None; 3],
        })
        .collect();
    for &runtime in &options.runtimes {
        let runs = workload.runs(options.reps);
        match child::measure_in_child(workload, runtime, runs) {
            Ok(runs) => {
                for values in runs {
                    for (row, value) in rows.iter_mut().zip(values) {
                        let best = &mut row.values[runtime.index()];
                        *best = Some(best.map_or(value, |best: f64| best.min(value)));
                    }
                }
            }
            Err(error) => {
                eprintln!("{} on {}: {error}", workload.name(), runtime.name());
                for row in &mut rows {
                    row.values[runtime.index()] = Some(f64::NAN);
                }
            }
        }
    }
    for row in &rows {
        let values: Vec<String> = Runtime::ALL
            .iter()
            .filter_map(|rt| Some(format!("{} {:.2}", rt.name(), row.values[rt.index()]?)))
            .collect();
        eprintln!(
            "  {} ({}): {}",
            row.spec.label,
            row.spec.unit,
            values.join(", ")
        );
    }
    rows
}

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some(CHILD_ARG) {
        return child::child_main(&args[1..]);
    }
    let options = match parse(&args) {
        Ok(options) => options,
        Err(error) => {
            eprintln!("{error}\n{USAGE}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "executor benchmark: CPUs allowed {}; one process per workload and runtime; \
         timed rows best of {} runs",
        allowed_cpus(),
        options.reps
    );
    let mut rows = Vec::new();
    for &workload in &options.workloads {
        eprintln!("running {} ...", workload.name());
        rows.extend(measure(workload, &options));
    }
    println!();
    report::print(&rows);
    ExitCode::SUCCESS
}
