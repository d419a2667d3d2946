//! The commands: check the arguments, run the command on the store, write the reply.

use evloop::time::{Duration, Instant};

use crate::number::parse_i64;
use crate::output::Output;
use crate::reply;
use crate::store::{IncrError, Store};

/// How much of the arguments an "unknown command" error repeats (Redis's cut-off): a
/// command with a million arguments must not get a reply of megabytes.
const ECHOED_ARGS: usize = 128;

/// The commands this server knows.
#[derive(Clone, Copy)]
enum Command {
    Ping,
    Echo,
    Get,
    Set,
    Del,
    Incr,
    Expire,
    Ttl,
    DbSize,
    Config,
}

impl Command {
    /// Looks a name up, ignoring case, without allocating.
    fn from_name(name: &[u8]) -> Option<Command> {
        use Command::*;
        const NAMES: [(&str, Command); 10] = [
            ("GET", Get),
            ("SET", Set),
            ("PING", Ping),
            ("ECHO", Echo),
            ("DEL", Del),
            ("INCR", Incr),
            ("EXPIRE", Expire),
            ("TTL", Ttl),
            ("DBSIZE", DbSize),
            ("CONFIG", Config),
        ];
        NAMES
            .iter()
            .find(|(known, _)| name.eq_ignore_ascii_case(known.as_bytes()))
            .map(|&(_, command)| command)
    }

    /// Whether `n` arguments (after the name) suit the command.
    fn takes(self, n: usize) -> bool {
        use Command::*;
        match self {
            Ping => n <= 1,
            Echo | Get | Incr | Ttl => n == 1,
            Set => n >= 2,
            Del => n >= 1,
            Expire | Config => n == 2,
            DbSize => n == 0,
        }
    }
}

/// Runs one command (its name and arguments in `args`) and appends its reply to `out`.
pub fn execute(store: &mut Store, args: &[&[u8]], out: &mut Output) {
    let Some((&name, args)) = args.split_first() else {
        return;
    };
    let Some(command) = Command::from_name(name) else {
        let mut message = format!(
            "ERR unknown command '{}', with args beginning with: ",
            String::from_utf8_lossy(name)
        );
        let echo_start = message.len();
        for arg in args {
            if message.len() - echo_start >= ECHOED_ARGS {
                break;
            }
            message += &format!("'{}' ", String::from_utf8_lossy(arg));
        }
        return reply::error(out, &message);
    };
    if !command.takes(args.len()) {
        let message = format!(
            "ERR wrong number of arguments for '{}' command",
            String::from_utf8_lossy(name).to_ascii_lowercase()
        );
        return reply::error(out, &message);
    }
    let now = Instant::now();
    match command {
        Command::Ping => match args.first() {
            None => reply::simple(out, "PONG"),
            Some(message) => reply::bulk(out, message),
        },
        Command::Echo => reply::bulk(out, args[0]),
        Command::Get => match store.get(args[0], now) {
            Some(value) => reply::bulk_value(out, value),
            None => reply::nil(out),
        },
        Command::Set => set(store, args, now, out),
        Command::Del => {
            let removed = args.iter().filter(|key| store.remove(key, now)).count();
            reply::integer(out, removed as i64);
        }
        Command::Incr => match store.incr(args[0], now) {
            Ok(n) => reply::integer(out, n),
            Err(IncrError::NotAnInteger) => {
                reply::error(out, "ERR value is not an integer or out of range")
            }
            Err(IncrError::Overflow) => {
                reply::error(out, "ERR increment or decrement would overflow")
            }
        },
        Command::Expire => match parse_i64(args[1]) {
            Some(seconds) => match deadline_after(now, seconds, Duration::from_secs) {
                Some(deadline) => {
                    reply::integer(out, store.expire_at(args[0], deadline, now).into());
                }
                None => reply::error(out, "ERR invalid expire time in 'expire' command"),
            },
            None => reply::error(out, "ERR value is not an integer or out of range"),
        },
        Command::Ttl => reply::integer(out, ttl(store, args[0], now)),
        Command::DbSize => reply::integer(out, store.len() as i64),
        Command::Config if args[0].eq_ignore_ascii_case(b"GET") => config_get(args[1], out),
        Command::Config => reply::error(out, "ERR only CONFIG GET is supported"),
    }
}

/// `SET key value [EX seconds | PX milliseconds]`
fn set(store: &mut Store, args: &[&[u8]], now: Instant, out: &mut Output) {
    let expires_at = match args[2..] {
        [] => None,
        [unit, amount] => {
            let to_duration = if unit.eq_ignore_ascii_case(b"EX") {
                Duration::from_secs
            } else if unit.eq_ignore_ascii_case(b"PX") {
                Duration::from_millis
            } else {
                return reply::error(out, "ERR syntax error");
            };
            let deadline = parse_i64(amount)
                .filter(|&amount| amount > 0)
                .and_then(|amount| deadline_after(now, amount, to_duration));
            match deadline {
                Some(deadline) => Some(deadline),
                None => return reply::error(out, "ERR invalid expire time in 'set' command"),
            }
        }
        _ => return reply::error(out, "ERR syntax error"),
    };
    store.set(args[0], args[1].into(), expires_at);
    reply::simple(out, "OK");
}

/// `CONFIG GET name`: `redis-benchmark` asks for `save` and `appendonly` when it
/// connects, to print them. This server keeps everything in memory, so it answers as
/// a Redis server with persistence turned off would, with `[name, value]` pairs; any
/// other name matches nothing.
fn config_get(name: &[u8], out: &mut Output) {
    let value: &[u8] = if name.eq_ignore_ascii_case(b"save") {
        b""
    } else if name.eq_ignore_ascii_case(b"appendonly") {
        b"no"
    } else {
        return reply::array(out, 0);
    };
    reply::array(out, 2);
    reply::bulk(out, name);
    reply::bulk(out, value);
}

/// `now + amount` units; a zero or negative amount is a deadline already past.
/// `None` for a deadline the clock cannot represent (`EX 9223372036854775807` is
/// 292 billion years away): the client gets an error, the server no panic.
fn deadline_after(now: Instant, amount: i64, unit: fn(u64) -> Duration) -> Option<Instant> {
    match u64::try_from(amount) {
        Ok(amount) => now.checked_add(unit(amount)),
        Err(_) => Some(now),
    }
}

/// `TTL`'s answer: seconds left (rounded to the nearest second, as Redis does), -1 for
/// a key without a deadline, -2 for a missing key.
fn ttl(store: &mut Store, key: &[u8], now: Instant) -> i64 {
    match store.deadline(key, now) {
        None => -2,
        Some(None) => -1,
        Some(Some(deadline)) => {
            let left = deadline.saturating_duration_since(now);
            ((left.as_millis() + 500) / 1000) as i64
        }
    }
}
