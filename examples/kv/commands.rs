//! The commands: check the arguments, run the command on the store, write the reply.

use evloop::time::{Duration, Instant};

use crate::resp;
use crate::store::{IncrError, Store};

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
pub fn execute(store: &mut Store, args: &[&[u8]], out: &mut Vec<u8>) {
    let Some((&name, args)) = args.split_first() else {
        return;
    };
    let Some(command) = Command::from_name(name) else {
        let mut message = format!(
            "ERR unknown command '{}', with args beginning with: ",
            String::from_utf8_lossy(name)
        );
        for arg in args {
            message += &format!("'{}' ", String::from_utf8_lossy(arg));
        }
        return resp::error(out, &message);
    };
    if !command.takes(args.len()) {
        let message = format!(
            "ERR wrong number of arguments for '{}' command",
            String::from_utf8_lossy(name).to_ascii_lowercase()
        );
        return resp::error(out, &message);
    }
    let now = Instant::now();
    match command {
        Command::Ping => match args.first() {
            None => resp::simple(out, "PONG"),
            Some(message) => resp::bulk(out, message),
        },
        Command::Echo => resp::bulk(out, args[0]),
        Command::Get => match store.get(args[0], now) {
            Some(value) => resp::bulk(out, value),
            None => resp::nil(out),
        },
        Command::Set => set(store, args, now, out),
        Command::Del => {
            let removed = args.iter().filter(|key| store.remove(key, now)).count();
            resp::integer(out, removed as i64);
        }
        Command::Incr => match store.incr(args[0], now) {
            Ok(n) => resp::integer(out, n),
            Err(IncrError::NotAnInteger) => {
                resp::error(out, "ERR value is not an integer or out of range")
            }
            Err(IncrError::Overflow) => {
                resp::error(out, "ERR increment or decrement would overflow")
            }
        },
        Command::Expire => match resp::parse_i64(args[1]) {
            Some(seconds) => {
                let deadline = deadline_after(now, seconds, Duration::from_secs);
                resp::integer(out, store.expire_at(args[0], deadline, now).into());
            }
            None => resp::error(out, "ERR value is not an integer or out of range"),
        },
        Command::Ttl => resp::integer(out, ttl(store, args[0], now)),
        Command::DbSize => resp::integer(out, store.len() as i64),
        Command::Config if args[0].eq_ignore_ascii_case(b"GET") => config_get(args[1], out),
        Command::Config => resp::error(out, "ERR only CONFIG GET is supported"),
    }
}

/// `SET key value [EX seconds | PX milliseconds]`
fn set(store: &mut Store, args: &[&[u8]], now: Instant, out: &mut Vec<u8>) {
    let expires_at = match args[2..] {
        [] => None,
        [unit, amount] => {
            let to_duration = if unit.eq_ignore_ascii_case(b"EX") {
                Duration::from_secs
            } else if unit.eq_ignore_ascii_case(b"PX") {
                Duration::from_millis
            } else {
                return resp::error(out, "ERR syntax error");
            };
            match resp::parse_i64(amount) {
                Some(amount) if amount > 0 => Some(deadline_after(now, amount, to_duration)),
                _ => return resp::error(out, "ERR invalid expire time in 'set' command"),
            }
        }
        _ => return resp::error(out, "ERR syntax error"),
    };
    store.set(args[0], args[1].to_vec(), expires_at);
    resp::simple(out, "OK");
}

/// `CONFIG GET name`: `redis-benchmark` asks for `save` and `appendonly` when it
/// connects, to print them. This server keeps everything in memory, so it answers as
/// a Redis server with persistence turned off would, with `[name, value]` pairs; any
/// other name matches nothing.
fn config_get(name: &[u8], out: &mut Vec<u8>) {
    let value: &[u8] = if name.eq_ignore_ascii_case(b"save") {
        b""
    } else if name.eq_ignore_ascii_case(b"appendonly") {
        b"no"
    } else {
        return resp::array(out, 0);
    };
    resp::array(out, 2);
    resp::bulk(out, name);
    resp::bulk(out, value);
}

/// `now + amount` units; a zero or negative amount is a deadline already past.
fn deadline_after(now: Instant, amount: i64, unit: fn(u64) -> Duration) -> Instant {
    match u64::try_from(amount) {
        Ok(amount) => now + unit(amount),
        Err(_) => now,
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
