//! RESP2, the Redis wire protocol: reading commands, writing replies.
//!
//! A client sends each command as an array of bulk strings,
//! `*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n`, or, typed by hand into `nc`, as an "inline"
//! line, `GET key\r\n`. Replies are typed by their first byte: `+` simple string,
//! `-` error, `:` integer, `$` bulk string (`$-1` is nil), `*` array.
//!
//! The parser works on whatever bytes have arrived so far: it either finds one whole
//! command at the front of the buffer or says it needs more. It copies nothing: the
//! arguments are slices of the read buffer.

use std::io::Write;

/// The longest inline command (Redis's limit): a line without a newline after this
/// many bytes is not a command but an error.
const MAX_INLINE: usize = 64 * 1024;
/// The most arguments one command may have (Redis's limit).
const MAX_ARGS: usize = 1024 * 1024;
/// The longest bulk string (Redis's limit, 512 MiB).
const MAX_BULK: usize = 512 * 1024 * 1024;

/// The client broke the protocol; the message is sent back as `-ERR Protocol error: ..`
/// and the connection closed, as Redis does.
#[derive(Debug, PartialEq, Eq)]
pub struct ProtocolError(pub &'static str);

/// Parses one command from the front of `buf` into `args`.
///
/// Returns `Ok(Some(n))` when a whole command was there (it used the first `n` bytes),
/// `Ok(None)` when more bytes are needed. An empty inline line is a command with no
/// arguments; the caller skips it.
pub fn parse_command<'b>(
    buf: &'b [u8],
    args: &mut Vec<&'b [u8]>,
) -> Result<Option<usize>, ProtocolError> {
    args.clear();
    match buf.first() {
        None => Ok(None),
        Some(b'*') => parse_array(buf, args),
        Some(_) => parse_inline(buf, args),
    }
}

/// `*<count>\r\n` followed by `count` bulk strings `$<len>\r\n<bytes>\r\n`.
fn parse_array<'b>(
    buf: &'b [u8],
    args: &mut Vec<&'b [u8]>,
) -> Result<Option<usize>, ProtocolError> {
    let Some((count, mut pos)) = parse_header(buf, 0, b'*', MAX_ARGS)? else {
        return Ok(None);
    };
    for _ in 0..count {
        let Some((len, start)) = parse_header(buf, pos, b'$', MAX_BULK)? else {
            return Ok(None);
        };
        let end = start + len;
        if buf.len() < end + 2 {
            return Ok(None);
        }
        if &buf[end..end + 2] != b"\r\n" {
            return Err(ProtocolError("expected '\\r\\n' after a bulk string"));
        }
        args.push(&buf[start..end]);
        pos = end + 2;
    }
    Ok(Some(pos))
}

/// A `<prefix><number>\r\n` line at `buf[pos..]`: returns the number and where the
/// next line starts.
fn parse_header(
    buf: &[u8],
    pos: usize,
    prefix: u8,
    max: usize,
) -> Result<Option<(usize, usize)>, ProtocolError> {
    let Some(line_end) = find_crlf(&buf[pos..]) else {
        if buf.len() - pos > MAX_INLINE {
            return Err(ProtocolError("too big header line"));
        }
        return Ok(None);
    };
    let line = &buf[pos..pos + line_end];
    if line.first() != Some(&prefix) {
        return Err(ProtocolError(if prefix == b'$' {
            "expected '$'"
        } else {
            "expected '*'"
        }));
    }
    match parse_usize(&line[1..]) {
        Some(n) if n <= max => Ok(Some((n, pos + line_end + 2))),
        _ => Err(ProtocolError(if prefix == b'$' {
            "invalid bulk length"
        } else {
            "invalid multibulk length"
        })),
    }
}

/// A line of words separated by spaces, ended by `\n` (or `\r\n`).
fn parse_inline<'b>(
    buf: &'b [u8],
    args: &mut Vec<&'b [u8]>,
) -> Result<Option<usize>, ProtocolError> {
    let Some(newline) = buf.iter().position(|&b| b == b'\n') else {
        if buf.len() > MAX_INLINE {
            return Err(ProtocolError("too big inline request"));
        }
        return Ok(None);
    };
    let line = buf[..newline]
        .strip_suffix(b"\r")
        .unwrap_or(&buf[..newline]);
    args.extend(
        line.split(|b| b.is_ascii_whitespace())
            .filter(|word| !word.is_empty()),
    );
    Ok(Some(newline + 1))
}

fn find_crlf(buf: &[u8]) -> Option<usize> {
    buf.windows(2).position(|pair| pair == b"\r\n")
}

/// A non-negative decimal number with no sign and no spaces.
fn parse_usize(digits: &[u8]) -> Option<usize> {
    std::str::from_utf8(digits).ok()?.parse().ok()
}

/// A signed decimal number, as `INCR` and the expiry options need it.
pub fn parse_i64(digits: &[u8]) -> Option<i64> {
    std::str::from_utf8(digits).ok()?.parse().ok()
}

// Replies. Each appends to the connection's output buffer; the connection writes the
// buffer once it has answered every command it has read (pipelining).

/// `+OK`, `+PONG`: a short status.
pub fn simple(out: &mut Vec<u8>, status: &str) {
    out.push(b'+');
    out.extend_from_slice(status.as_bytes());
    out.extend_from_slice(b"\r\n");
}

/// `-ERR ...`: the command failed; the connection goes on.
pub fn error(out: &mut Vec<u8>, message: &str) {
    out.push(b'-');
    out.extend_from_slice(message.as_bytes());
    out.extend_from_slice(b"\r\n");
}

/// `:42`
pub fn integer(out: &mut Vec<u8>, n: i64) {
    // Writing to a Vec cannot fail.
    let _ = write!(out, ":{n}\r\n");
}

/// `$5\r\nhello\r\n`: any bytes.
pub fn bulk(out: &mut Vec<u8>, bytes: &[u8]) {
    let _ = write!(out, "${}\r\n", bytes.len());
    out.extend_from_slice(bytes);
    out.extend_from_slice(b"\r\n");
}

/// `$-1`: nil, e.g. `GET` of a missing key.
pub fn nil(out: &mut Vec<u8>) {
    out.extend_from_slice(b"$-1\r\n");
}

/// `*3`: an array of `len` elements; the elements are the next `len` replies.
pub fn array(out: &mut Vec<u8>, len: usize) {
    let _ = write!(out, "*{len}\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A parsed command: its arguments and how many bytes it used.
    type Parsed<'b> = (Vec<&'b [u8]>, usize);

    fn parse(buf: &[u8]) -> Result<Option<Parsed<'_>>, ProtocolError> {
        let mut args = Vec::new();
        Ok(parse_command(buf, &mut args)?.map(|used| (args, used)))
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
    fn malformed_input_is_a_protocol_error() {
        assert!(parse(b"*x\r\n").is_err());
        assert!(parse(b"*1\r\n+OK\r\n").is_err());
        assert!(parse(b"*1\r\n$2\r\nabcd\r\n").is_err());
        assert!(parse(b"*1\r\n$-1\r\n").is_err());
        assert!(parse(&vec![b'a'; MAX_INLINE + 1]).is_err());
    }

    #[test]
    fn replies() {
        let mut out = Vec::new();
        simple(&mut out, "OK");
        error(&mut out, "ERR no");
        integer(&mut out, -3);
        bulk(&mut out, b"hi");
        nil(&mut out);
        array(&mut out, 1);
        bulk(&mut out, b"");
        assert_eq!(
            out,
            b"+OK\r\n-ERR no\r\n:-3\r\n$2\r\nhi\r\n$-1\r\n*1\r\n$0\r\n\r\n"
        );
    }
}
