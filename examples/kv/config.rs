//! The server's settings: the port and the limits that keep one client from taking
//! the server down, each with a default and a command-line flag.

use std::io;
use std::time::Duration;

use crate::args::{self, Arg};
use crate::resp::Limits;

/// What `--help` prints.
const USAGE: &str = "usage: kv [PORT] [--max-bulk-len BYTES] [--output-soft-limit BYTES] \
    [--output-hard-limit BYTES] [--output-hard-seconds SECONDS]";

/// The settings, after the command line.
#[derive(Debug, Clone)]
pub struct Config {
    pub port: u16,
    /// The longest value (or key, or any argument) a command may carry, in bytes
    /// (Redis's `proto-max-bulk-len`, 512 MiB there). A whole command may take twice
    /// that, as Redis's query buffer limit is twice its bulk limit.
    pub max_bulk_len: usize,
    /// While a connection has more than this many bytes of replies unsent, its input
    /// is neither read nor parsed: a client that sends without reading stops being
    /// answered, and the kernel's flow control stops it sending.
    pub output_soft_limit: usize,
    /// A connection whose unsent replies stay above this many bytes for
    /// `output_hard_time` is closed (with one line on stderr).
    pub output_hard_limit: usize,
    pub output_hard_time: Duration,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            port: 6380,
            max_bulk_len: 64 * 1024 * 1024,
            output_soft_limit: 1024 * 1024,
            output_hard_limit: 64 * 1024 * 1024,
            output_hard_time: Duration::from_secs(5),
        }
    }
}

impl Config {
    /// Reads `[PORT] [--flag value]...`.
    pub fn from_args(args: impl Iterator<Item = String>) -> io::Result<Config> {
        let mut config = Config::default();
        for arg in args::parse(USAGE, args)? {
            let (flag, value) = match arg {
                Arg::Port(port) => {
                    config.port = port;
                    continue;
                }
                Arg::Flag(flag, value) => (flag, value),
            };
            match flag.as_str() {
                "--max-bulk-len" => config.max_bulk_len = args::value(&flag, &value)?,
                "--output-soft-limit" => config.output_soft_limit = args::value(&flag, &value)?,
                "--output-hard-limit" => config.output_hard_limit = args::value(&flag, &value)?,
                "--output-hard-seconds" => config.output_hard_time = args::seconds(&flag, &value)?,
                _ => return Err(args::unknown(&flag, USAGE)),
            }
        }
        Ok(config)
    }

    /// The parser's limits.
    pub fn limits(&self) -> Limits {
        Limits {
            max_bulk: self.max_bulk_len,
            max_command: self.max_bulk_len.saturating_mul(2),
        }
    }
}
