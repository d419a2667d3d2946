//! `line_count`: counts the lines on its stdin and prints the count with
//! `evloop::io::stdout()`.

use crate::support::run_with_input;

#[test]
fn line_count_counts_lines_and_their_bytes() {
    let output = run_with_input("line_count", b"one\ntwo\r\n\nthe last, unterminated");
    assert_eq!(output, "4 lines, 28 bytes\n");
}

#[test]
fn line_count_of_nothing_is_zero() {
    assert_eq!(run_with_input("line_count", b""), "0 lines, 0 bytes\n");
}

#[test]
fn line_count_reads_a_big_input_to_its_end() {
    let input: Vec<u8> = (0..100_000)
        .flat_map(|i| format!("line {i}\n").into_bytes())
        .collect();
    let bytes = input.len() - 100_000; // without the newlines
    assert_eq!(
        run_with_input("line_count", &input),
        format!("100000 lines, {bytes} bytes\n")
    );
}
