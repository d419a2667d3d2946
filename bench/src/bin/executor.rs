//! The executor benchmark: runs the workloads on evloop, tokio (current-thread) and
//! smol (`LocalExecutor`) in one process and prints one table. See `bench/README.md`.
//!
//! ```text
//! executor [WORKLOAD...] [--runtime NAME]... [--reps N]
//! ```
//!
//! With no workload, runs them all; with no `--runtime`, all three. Timed workloads
//! run `--reps` times (default 3), the runtimes interleaved, and report the best run;
//! parked_memory and cross_thread_wake run once (they are a distribution already).

use std::env;
use std::process::ExitCode;

use evloop_bench::measure::allowed_cpus;
use evloop_bench::report::{self, Row, Spec};
use evloop_bench::runtimes::Runtime;
use evloop_bench::workloads::{
    NAMES, cross_thread_wake, parked_memory, ping_pong_local, spawn_join, yield_loop,
};

#[derive(Clone)]
struct Options {
    workloads: Vec<String>,
    runtimes: Vec<Runtime>,
    reps: u32,
}

const USAGE: &str = "usage: executor [WORKLOAD...] [--runtime evloop|tokio|smol]... [--reps N]\n\
    workloads: spawn_join yield_loop ping_pong_local parked_memory cross_thread_wake";

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
            name if NAMES.contains(&name) => options.workloads.push(name.to_owned()),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if options.workloads.is_empty() {
        options.workloads = NAMES.map(str::to_owned).to_vec();
    }
    if options.runtimes.is_empty() {
        options.runtimes = Runtime::ALL.to_vec();
    }
    Ok(options)
}

/// Runs `measure` `reps` times per runtime, interleaved, keeping the lowest value.
fn best_of(options: &Options, spec: Spec, measure: fn(Runtime) -> f64) -> Row {
    let mut values = [None; 3];
    for _ in 0..options.reps {
        for &runtime in &options.runtimes {
            let value = measure(runtime);
            let best: &mut Option<f64> = &mut values[runtime.index()];
            *best = Some(best.map_or(value, |best| best.min(value)));
        }
    }
    progress(&Row { spec, values });
    Row { spec, values }
}

fn progress(row: &Row) {
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

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some(parked_memory::CHILD_ARG) {
        let Some(runtime) = args.get(1).and_then(|name| Runtime::from_name(name)) else {
            eprintln!("usage: executor {} RUNTIME", parked_memory::CHILD_ARG);
            return ExitCode::FAILURE;
        };
        parked_memory::child_main(runtime);
        return ExitCode::SUCCESS;
    }
    let options = match parse(&args) {
        Ok(options) => options,
        Err(error) => {
            eprintln!("{error}\n{USAGE}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "executor benchmark: CPUs allowed {}; timed rows best of {} runs",
        allowed_cpus(),
        options.reps
    );
    let mut rows = Vec::new();
    for workload in &options.workloads {
        eprintln!("running {workload} ...");
        match workload.as_str() {
            "spawn_join" => rows.push(best_of(&options, report::SPAWN_JOIN, spawn_join::run)),
            "yield_loop" => rows.push(best_of(&options, report::YIELD_LOOP, yield_loop::run)),
            "ping_pong_local" => rows.push(best_of(
                &options,
                report::PING_PONG_LOCAL,
                ping_pong_local::run,
            )),
            "parked_memory" => {
                let once = Options {
                    reps: 1,
                    ..options.clone()
                };
                rows.push(best_of(&once, report::PARKED_MEMORY, parked_memory::run));
            }
            "cross_thread_wake" => {
                let mut p50 = [None; 3];
                let mut p99 = [None; 3];
                for &runtime in &options.runtimes {
                    let latency = cross_thread_wake::run(runtime);
                    p50[runtime.index()] = Some(latency.p50_us);
                    p99[runtime.index()] = Some(latency.p99_us);
                }
                for (spec, values) in [
                    (report::CROSS_THREAD_WAKE_P50, p50),
                    (report::CROSS_THREAD_WAKE_P99, p99),
                ] {
                    let row = Row { spec, values };
                    progress(&row);
                    rows.push(row);
                }
            }
            _ => unreachable!("parse accepts only known workloads"),
        }
    }
    println!();
    report::print(&rows);
    ExitCode::SUCCESS
}
