//! RESP2, the Redis wire protocol: reading commands.
//!
//! A client sends each command as an array of bulk strings,
//! `*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n`, or, typed by hand into `nc`, as an "inline"
//! line, `GET key\r\n`.
//!
//! The parser works on whatever bytes have arrived so far: it either finds one whole
//! command at the front of the buffer or says it needs more. It copies nothing: the
//! arguments are slices of the read buffer. A command that arrives in many reads (a
//! `SET` of a big value, a `DEL` of a million keys) is not parsed again from its start
//! after each one: the parser remembers where it stopped, so every byte is looked at
//! once and the cost stays linear in the bytes received.
//!
//! It trusts no number the client sends: lengths are plain digits (no sign, no
//! spaces, no leading zeros), checked against the limits before anything is
//! allocated for them.

use std::ops::Range;

use crate::number::parse_length;

/// The longest inline command (Redis's limit): a line without a newline after this
/// many bytes is not a command but an error.
const MAX_INLINE: usize = 64 * 1024;
/// The longest `*<count>` or `$<length>` line: a sign-free 64-bit number and its
/// prefix need 21 bytes, so anything much longer is garbage.
const MAX_HEADER_LINE: usize = 32;
/// The most arguments one command may have (Redis's limit).
const MAX_ARGS: usize = 1024 * 1024;
/// Argument slots kept between commands: one huge command should not leave a
/// connection holding 16 MiB of them afterwards.
const KEEP_ARG_CAPACITY: usize = 1024;

/// The client broke the protocol; the message is sent back as `-ERR Protocol error: ..`
/// and the connection closed, as Redis does.
#[derive(Debug, PartialEq, Eq)]
pub struct ProtocolError(pub &'static str);

/// The limits a client's commands are held to.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The longest bulk string (Redis's `proto-max-bulk-len`).
    pub max_bulk: usize,
    /// The longest whole command, framing included (Redis's
    /// `client-query-buffer-limit`).
    pub max_command: usize,
}

/// Finds the commands in a connection's input, one at a time, remembering its place
/// in a command that has not fully arrived.
///
/// The buffer handed to [`parse`](Self::parse) must start where the current command
/// starts, and the bytes already there must not change between calls (they may move,
/// along with the rest: the parser keeps offsets from the command's start).
pub struct Parser {
    limits: Limits,
    partial: Partial,
    /// The arguments found so far in the current array command, as offsets from its
    /// start.
    args: Vec<Range<usize>>,
}

/// How far the parser got in the current command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Partial {
    /// Nothing of it is known yet.
    Start,
    /// An inline line: its first `scanned` bytes hold no `\n`.
    Inline { scanned: usize },
    /// An array of `count` bulk strings; the next thing to read is at `next`: the
    /// `$<length>` line of the next string, or with `bulk`, that many bytes of data and
    /// their `\r\n`.
    Array {
        count: usize,
        next: usize,
        bulk: Option<usize>,
    },
}

impl Parser {
    pub fn new(limits: Limits) -> Parser {
        Parser {
            limits,
            partial: Partial::Start,
            args: Vec::new(),
        }
    }

    /// Parses one command from the front of `buf` into `args`.
    ///
    /// Returns `Ok(Some(n))` when a whole command was there (it used the first `n`
    /// bytes), `Ok(None)` when more bytes are needed. An empty command (a blank
    /// inline line, `*0`) has no arguments; the caller skips it.
    pub fn parse<'b>(
        &mut self,
        buf: &'b [u8],
        args: &mut Vec<&'b [u8]>,
    ) -> Result<Option<usize>, ProtocolError> {
        args.clear();
        let result = match self.partial {
            Partial::Start => match buf.first() {
                None => Ok(None),
                Some(b'*') => self.parse_array(buf, args),
                Some(_) => self.parse_inline(buf, 0, args),
            },
            Partial::Inline { scanned } => self.parse_inline(buf, scanned, args),
            Partial::Array { .. } => self.parse_array(buf, args),
        };
        if !matches!(result, Ok(None)) {
            self.partial = Partial::Start;
            self.args.clear();
            self.args.shrink_to(KEEP_ARG_CAPACITY);
        }
        result
    }

    /// A line of words separated by blanks, ended by `\n` (or `\r\n`); the first
    /// `scanned` bytes are known to hold no `\n`.
    fn parse_inline<'b>(
        &mut self,
        buf: &'b [u8],
        scanned: usize,
        args: &mut Vec<&'b [u8]>,
    ) -> Result<Option<usize>, ProtocolError> {
        // A line longer than the limit is refused whether or not its end has come,
        // so the answer does not depend on how the bytes were cut into reads.
        let window = &buf[..buf.len().min(MAX_INLINE + 1)];
        let Some(newline) = window[scanned..].iter().position(|&b| b == b'\n') else {
            if window.len() > MAX_INLINE {
                return Err(ProtocolError("too big inline request"));
            }
            self.partial = Partial::Inline {
                scanned: window.len(),
            };
            return Ok(None);
        };
        let end = scanned + newline;
        let line = buf[..end].strip_suffix(b"\r").unwrap_or(&buf[..end]);
        args.extend(
            line.split(|b| b.is_ascii_whitespace())
                .filter(|word| !word.is_empty()),
        );
        Ok(Some(end + 1))
    }

    /// `*<count>\r\n` followed by `count` bulk strings `$<len>\r\n<bytes>\r\n`, taken
    /// up where the last call stopped.
    fn parse_array<'b>(
        &mut self,
        buf: &'b [u8],
        args: &mut Vec<&'b [u8]>,
    ) -> Result<Option<usize>, ProtocolError> {
        let (count, mut next, mut bulk) = match self.partial {
            Partial::Array { count, next, bulk } => (count, next, bulk),
            _ => {
                let Some((count, next)) = header(buf, 0, b'*', MAX_ARGS)? else {
                    return Ok(None);
                };
                (count, next, None)
            }
        };
        while self.args.len() < count {
            let len = match bulk {
                Some(len) => len,
                None => {
                    let Some((len, start)) = header(buf, next, b'$', self.limits.max_bulk)? else {
                        break;
                    };
                    // Refuse a command too long before waiting for (and buffering) it.
                    if start.saturating_add(len).saturating_add(2) > self.limits.max_command {
                        return Err(ProtocolError("too big command"));
                    }
                    next = start;
                    len
                }
            };
            let end = next + len;
            if buf.len() < end + 2 {
                bulk = Some(len);
                break;
            }
            if &buf[end..end + 2] != b"\r\n" {
                return Err(ProtocolError("expected '\\r\\n' after a bulk string"));
            }
            self.args.push(next..end);
            next = end + 2;
            bulk = None;
        }
        if self.args.len() < count {
            self.partial = Partial::Array { count, next, bulk };
            return Ok(None);
        }
        args.extend(self.args.iter().map(|range| &buf[range.clone()]));
        Ok(Some(next))
    }
}

/// A `<prefix><number>\r\n` line at `buf[pos..]` with a number no more than `max`:
/// returns the number and where the next line starts, or `None` if the line has not
/// fully arrived.
fn header(
    buf: &[u8],
    pos: usize,
    prefix: u8,
    max: usize,
) -> Result<Option<(usize, usize)>, ProtocolError> {
    // Look no further than the longest line allowed: past it, the line is refused
    // whether or not its end has arrived.
    let rest = &buf[pos..buf.len().min(pos + MAX_HEADER_LINE + 2)];
    let Some(line_end) = rest.windows(2).position(|pair| pair == b"\r\n") else {
        if rest.len() == MAX_HEADER_LINE + 2 {
            return Err(ProtocolError(if prefix == b'$' {
                "too big bulk count string"
            } else {
                "too big mbulk count string"
            }));
        }
        return Ok(None);
    };
    let line = &rest[..line_end];
    if line.first() != Some(&prefix) {
        return Err(ProtocolError(if prefix == b'$' {
            "expected '$'"
        } else {
            "expected '*'"
        }));
    }
    match parse_length(&line[1..]) {
        Some(n) if n <= max => Ok(Some((n, pos + line_end + 2))),
        _ => Err(ProtocolError(if prefix == b'$' {
            "invalid bulk length"
        } else {
            "invalid multibulk length"
        })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: Limits = Limits {
        max_bulk: 1024,
        max_command: 4096,
    };

    /// A parsed command: its arguments and how many bytes it used.
    type Parsed = (Vec<Vec<u8>>, usize);

    /// Parses `buf` in one piece with a fresh parser.
    fn parse(buf: &[u8]) -> Result<Option<Parsed>, ProtocolError> {
        let mut parser = Parser::new(LIMITS);
        let mut args = Vec::new();
        let used = parser.parse(buf, &mut args)?;
        Ok(used.map(|used| (args.iter().map(|arg| arg.to_vec()).collect(), used)))
    }

    #[test]
    fn array_of_bulk_strings() {
        let buf = b"*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n*1\r\n";
        let (args, used) = parse(buf).unwrap().unwrap();
        assert_eq!(args, [&b"GET"[..], b"key"]);
        assert_eq!(used, buf.len() - 4, "the next command stays in the buffer");
    }

    #[test]
    fn bulk_strings_may_hold_any_bytes() {
        let (args, _) = parse(b"*1\r\n$4\r\na\r\nb\r\n").unwrap().unwrap();
        assert_eq!(args, [b"a\r\nb"]);
    }

    #[test]
    fn every_prefix_of_a_command_needs_more() {
        let buf = b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nvalue\r\n";
        for end in 0..buf.len() {
            assert_eq!(parse(&buf[..end]), Ok(None), "prefix of {end} bytes");
        }
        assert!(parse(buf).unwrap().is_some());
    }

    #[test]
    fn a_command_fed_a_byte_at_a_time_keeps_its_place() {
        let buf = b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nvalue\r\nPING\r\n";
        let set_len = buf.len() - b"PING\r\n".len();
        let mut parser = Parser::new(LIMITS);
        let mut args = Vec::new();
        for end in 0..set_len {
            assert_eq!(parser.parse(&buf[..end], &mut args), Ok(None), "{end}");
        }
        assert_eq!(parser.parse(&buf[..set_len], &mut args), Ok(Some(set_len)));
        assert_eq!(args, [&b"SET"[..], b"k", b"value"]);
        let rest = &buf[set_len..];
        for end in 0..rest.len() {
            assert_eq!(parser.parse(&rest[..end], &mut args), Ok(None));
        }
        assert_eq!(parser.parse(rest, &mut args), Ok(Some(6)));
        assert_eq!(args, [b"PING"]);
    }

    #[test]
    fn inline_commands() {
        let (args, used) = parse(b"SET  k v\r\nPING\n").unwrap().unwrap();
        assert_eq!(args, [&b"SET"[..], b"k", b"v"]);
        assert_eq!(used, 10);
        let (args, used) = parse(b"PING\n").unwrap().unwrap();
        assert_eq!(args, [b"PING"]);
        assert_eq!(used, 5);
        let (args, _) = parse(b"\r\n").unwrap().unwrap();
        assert!(args.is_empty());
        assert_eq!(parse(b"PIN"), Ok(None));
    }

    #[test]
    fn an_empty_array_is_an_empty_command() {
        let (args, used) = parse(b"*0\r\nPING\r\n").unwrap().unwrap();
        assert!(args.is_empty());
        assert_eq!(used, 4);
    }

    #[test]
    fn malformed_input_is_a_protocol_error() {
        for bad in [
            &b"*x\r\n"[..],
            b"*1\r\n+OK\r\n",
            b"*1\r\n$2\r\nabcd\r\n",
            b"*1\r\n$-1\r\n",
            b"*-1\r\n",
            b"*1\r\n$+4\r\nPING\r\n",
            b"*+1\r\n$4\r\nPING\r\n",
            b"*1\r\n$04\r\nPING\r\n",
            b"*1\r\n$ 4\r\nPING\r\n",
            b"*1\r\n$99999999999999999999999\r\n",
            b"*1\r\n$1025\r\n",
            b"*1048577\r\n",
            b"*1\r\n$123456789012345678901234567890123",
        ] {
            assert!(parse(bad).is_err(), "{:?}", String::from_utf8_lossy(bad));
        }
        assert!(parse(&vec![b'a'; MAX_INLINE + 1]).is_err());
    }

    #[test]
    fn a_command_over_the_limit_is_refused_before_it_arrives() {
        let mut buf = b"*5\r\n".to_vec();
        for _ in 0..4 {
            buf.extend_from_slice(b"$1000\r\n");
            buf.extend_from_slice(&[b'x'; 1000]);
            buf.extend_from_slice(b"\r\n");
        }
        buf.extend_from_slice(b"$1000\r\n");
        assert_eq!(parse(&buf), Err(ProtocolError("too big command")));
    }
}
