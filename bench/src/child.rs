//! Each (workload, runtime) pair runs in a fresh child process: this binary,
//! re-executed as `executor child WORKLOAD RUNTIME RUNS`.
//!
//! One process per pair keeps runtimes from measuring each other's allocator state. In
//! one process, a runtime that runs after another finds the heap already grown and
//! its pages already faulted in, and spawning a million tasks then costs it far less
//! (seen here: evloop's spawn_join 91 ns/task after tokio and smol had run in the
//! same process, ~160 ns/task in a process of its own). The child prints one line of
//! values per run; the parent parses them.

use std::env;
use std::process::{Command, ExitCode};

use crate::runtimes::Runtime;
use crate::workloads::Workload;

/// The first argument that makes the binary run [`child_main`].
pub const CHILD_ARG: &str = "child";

/// Runs `workload` on `runtime` `runs` times in a fresh process; one vector of values
/// (one per row) per run.
pub fn measure_in_child(
    workload: Workload,
    runtime: Runtime,
    runs: u32,
) -> Result<Vec<Vec<f64>>, String> {
    let exe = env::current_exe().map_err(|e| format!("cannot find this executable: {e}"))?;
    let output = Command::new(exe)
        .args([
            CHILD_ARG,
            workload.name(),
            runtime.name(),
            &runs.to_string(),
        ])
        .output()
        .map_err(|e| format!("cannot start the child process: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "the child process failed ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    stdout
        .lines()
        .filter_map(|line| line.strip_prefix("values "))
        .map(|values| {
            values
                .split_whitespace()
                .map(|value| {
                    value
                        .parse::<f64>()
                        .map_err(|e| format!("bad value {value}: {e}"))
                })
                .collect()
        })
        .collect()
}

/// The child's side: `args` are what follows [`CHILD_ARG`].
pub fn child_main(args: &[String]) -> ExitCode {
    let workload = args.first().and_then(|name| Workload::from_name(name));
    let runtime = args.get(1).and_then(|name| Runtime::from_name(name));
    let runs = args.get(2).and_then(|n| n.parse::<u32>().ok());
    let (Some(workload), Some(runtime), Some(runs)) = (workload, runtime, runs) else {
        eprintln!("usage: executor {CHILD_ARG} WORKLOAD RUNTIME RUNS");
        return ExitCode::FAILURE;
    };
    for _ in 0..runs {
        let values: Vec<String> = workload
            .measure(runtime)
            .iter()
            .map(f64::to_string)
            .collect();
        println!("values {}", values.join(" "));
    }
    ExitCode::SUCCESS
}
