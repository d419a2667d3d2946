//! A shell pipeline, `seq 1 100000 | grep 7`, with evloop in the middle: the two
//! children do not share a pipe; a task copies `seq`'s stdout into `grep`'s stdin,
//! and the main task counts the lines `grep` prints. Then it prints each child's exit
//! status.
//!
//! Run with `cargo run --release --example pipeline [N] [PATTERN]` (defaults: 100000
//! and 7). `seq 1 100000 | grep -c 7` in a shell gives the same count.

use std::io;
use std::process::Stdio;

use evloop::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use evloop::process::Command;
use futures_util::StreamExt;

#[evloop::main]
async fn main() -> io::Result<()> {
    let mut args = std::env::args().skip(1);
    let last = args.next().unwrap_or_else(|| "100000".into());
    let pattern = args.next().unwrap_or_else(|| "7".into());

    let mut seq = Command::new("seq")
        .args(["1", &last])
        .stdout(Stdio::piped())
        .spawn()?;
    let mut grep = Command::new("grep")
        .arg(&pattern)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;

    // The pipe `|` would have been: every byte seq writes, into grep's stdin, and
    // grep's end of input when seq is done.
    let mut from = seq.stdout.take().expect("seq's stdout is piped");
    let mut into = grep.stdin.take().expect("grep's stdin is piped");
    let copier = evloop::spawn(async move {
        let copied = evloop::io::copy(&mut from, &mut into).await?;
        into.close().await?;
        io::Result::Ok(copied)
    });

    let grep_out = grep.stdout.take().expect("grep's stdout is piped");
    let mut lines = BufReader::new(grep_out).lines();
    let mut matching = 0u64;
    while let Some(line) = lines.next().await {
        line?;
        matching += 1;
    }

    let copied = copier.await.expect("the copying task does not panic")?;
    let seq_status = seq.wait().await?;
    let grep_status = grep.wait().await?;
    println!("seq 1 {last}: {seq_status} ({copied} bytes copied into grep)");
    println!("grep {pattern}: {grep_status}");
    println!("{matching} lines match");
    Ok(())
}
