//! `pipeline`: `seq | grep` joined by an evloop task, counted like `grep -c`.

use crate::support::run_with_args;

#[test]
fn pipeline_counts_what_grep_c_would_and_both_children_succeed() {
    let output = run_with_args("pipeline", &["20000", "7"]);
    let expected = (1..=20000)
        .filter(|n: &u32| n.to_string().contains('7'))
        .count();
    let bytes: usize = (1..=20000u32).map(|n| n.to_string().len() + 1).sum();
    assert_eq!(
        output,
        format!(
            "seq 1 20000: exit status: 0 ({bytes} bytes copied into grep)\n\
             grep 7: exit status: 0\n\
             {expected} lines match\n"
        )
    );
}
