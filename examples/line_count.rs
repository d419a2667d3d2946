//! Counts the lines on stdin, and the bytes in them, like a small `wc -l`: stdin read
//! line by line through a `BufReader`, the answer written with `evloop::io::stdout()`.
//!
//! Run with `printf 'one\ntwo\n' | cargo run --example line_count`, which prints
//! `2 lines, 6 bytes`. The bytes are those of the lines' text: `lines` strips each
//! line's `\n` or `\r\n`. Input that is not UTF-8 is an error (`InvalidData`).

use evloop::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use futures::TryStreamExt;

#[evloop::main]
async fn main() -> std::io::Result<()> {
    let mut lines = BufReader::new(evloop::io::stdin()).lines();
    let (mut count, mut bytes) = (0u64, 0u64);
    while let Some(line) = lines.try_next().await? {
        count += 1;
        bytes += line.len() as u64;
    }
    let mut stdout = evloop::io::stdout();
    stdout
        .write_all(format!("{count} lines, {bytes} bytes\n").as_bytes())
        .await?;
    stdout.flush().await
}
