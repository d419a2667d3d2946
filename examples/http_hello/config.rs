//! The server's settings: the port, the time limits on each connection, and the cap
//! on open connections, each with a default and a command-line flag.

use std::io;
use std::time::Duration;

use crate::args::{self, Arg};

/// What `--help` prints.
const USAGE: &str = "usage: http_hello [PORT] [--head-timeout SECONDS] \
    [--idle-timeout SECONDS] [--max-connections N]";

/// File descriptors kept out of the connection cap: the runtime's epoll and eventfd,
/// the listener, the signal listeners, stdin/stdout/stderr, and room to accept the
/// connections that are over the cap, to tell them so.
const FD_RESERVE: usize = 16;

/// The settings, after the command line.
#[derive(Debug, Clone)]
pub struct Config {
    pub port: u16,
    /// How long a client has to send a whole request head, from the moment the
    /// connection opens or the head's first byte arrives (nginx's
    /// `client_header_timeout`, hyper's `header_read_timeout`). Then it gets a 408
    /// and the connection closes, so a client that sends half a head and stops
    /// cannot hold a connection for long.
    pub head_timeout: Duration,
    /// How long a connection may wait for the next request (or for more of a
    /// request body) before it is closed (nginx's `keepalive_timeout`).
    pub idle_timeout: Duration,
    /// The most connections served at once. Past it, a new connection is accepted
    /// and answered 503 at once, rather than left waiting in the kernel's backlog.
    /// Never more than the process's file-descriptor limit allows, less
    /// [`FD_RESERVE`].
    pub max_connections: usize,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            port: 8080,
            head_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            max_connections: 4096,
        }
    }
}

impl Config {
    /// Reads `[PORT] [--flag value]...`, and holds the connection cap under the
    /// file-descriptor limit.
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
                "--head-timeout" => config.head_timeout = args::seconds(&flag, &value)?,
                "--idle-timeout" => config.idle_timeout = args::seconds(&flag, &value)?,
                "--max-connections" => config.max_connections = args::value(&flag, &value)?,
                _ => return Err(args::unknown(&flag, USAGE)),
            }
        }
        if let Some(fds) = open_files_limit() {
            config.max_connections = config.max_connections.min(fds.saturating_sub(FD_RESERVE));
        }
        Ok(config)
    }
}

/// The soft limit on open files (`ulimit -n`), from the `Max open files` line of
/// `/proc/self/limits`; `None` if unlimited or unreadable.
fn open_files_limit() -> Option<usize> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits
        .lines()
        .find(|line| line.starts_with("Max open files"))?;
    line["Max open files".len()..]
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}
