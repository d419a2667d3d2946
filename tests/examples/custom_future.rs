//! `custom_future`: runs by itself and prints what its futures did.

use crate::support::run_to_completion;

#[test]
fn custom_future_runs_to_completion() {
    let output = run_to_completion("custom_future");
    let lines = [
        "read \"hello from another thread\"",
        "read \"one line at a time\"",
        "read \"bye\"",
        "end of stream",
        "2. Delay: a future woken from another thread",
        "woken after",
    ];
    let mut rest = output.as_str();
    for line in lines {
        let at = rest
            .find(line)
            .unwrap_or_else(|| panic!("{line:?} missing, in order, from:\n{output}"));
        rest = &rest[at + line.len()..];
    }
}
