//! The command line of an example server: an optional port and `--flag value` pairs.
//! Shared by the `kv` and `http_hello` examples; each knows its own flags.

use std::io;
use std::str::FromStr;
use std::time::Duration;

/// One command-line argument.
pub enum Arg {
    Port(u16),
    /// `--name value`
    Flag(String, String),
}

/// Reads the arguments after the program's name; `--help` (or a flag without a
/// value) is an error that shows `usage`.
pub fn parse(usage: &str, mut args: impl Iterator<Item = String>) -> io::Result<Vec<Arg>> {
    let mut parsed = Vec::new();
    while let Some(arg) = args.next() {
        if arg == "--help" {
            return Err(invalid(usage.to_owned()));
        }
        if !arg.starts_with("--") {
            parsed.push(Arg::Port(value("the port", &arg)?));
            continue;
        }
        let Some(value) = args.next() else {
            return Err(invalid(format!("{arg} needs a value\n{usage}")));
        };
        parsed.push(Arg::Flag(arg, value));
    }
    Ok(parsed)
}

/// The value of `flag`, parsed.
pub fn value<T: FromStr>(flag: &str, text: &str) -> io::Result<T> {
    text.parse()
        .map_err(|_| invalid(format!("{flag}: cannot read {text:?}")))
}

/// The value of `flag`, a number of seconds (`0.5` is half a second).
pub fn seconds(flag: &str, text: &str) -> io::Result<Duration> {
    Duration::try_from_secs_f64(value(flag, text)?)
        .map_err(|_| invalid(format!("{flag}: not a number of seconds: {text:?}")))
}

/// The error for a flag the example does not know.
pub fn unknown(flag: &str, usage: &str) -> io::Error {
    invalid(format!("unknown flag {flag}\n{usage}"))
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message)
}
