//! RESP2 replies, typed by their first byte: `+` simple string, `-` error, `:`
//! integer, `$` bulk string (`$-1` is nil), `*` array.
//!
//! Each function appends to the connection's output; the connection writes it once
//! it has answered the commands of one turn (pipelining).

use std::fmt::Write;
use std::rc::Rc;

use crate::output::Output;

/// `+OK`, `+PONG`: a short status.
pub fn simple(out: &mut Output, status: &str) {
    out.extend(b"+");
    out.extend(status.as_bytes());
    out.extend(b"\r\n");
}

/// `-ERR ...`: the command failed; the connection goes on.
pub fn error(out: &mut Output, message: &str) {
    out.extend(b"-");
    out.extend(message.as_bytes());
    out.extend(b"\r\n");
}

/// `:42`
pub fn integer(out: &mut Output, n: i64) {
    // Writing to a Vec cannot fail.
    let _ = write!(out, ":{n}\r\n");
}

/// `$5\r\nhello\r\n`: any bytes.
pub fn bulk(out: &mut Output, bytes: &[u8]) {
    let _ = write!(out, "${}\r\n", bytes.len());
    out.extend(bytes);
    out.extend(b"\r\n");
}

/// `$5\r\nhello\r\n` for a value of the store, shared rather than copied when big.
pub fn bulk_value(out: &mut Output, value: &Rc<[u8]>) {
    let _ = write!(out, "${}\r\n", value.len());
    out.extend_shared(value);
    out.extend(b"\r\n");
}

/// `$-1`: nil, e.g. `GET` of a missing key.
pub fn nil(out: &mut Output) {
    out.extend(b"$-1\r\n");
}

/// `*3`: an array of `len` elements; the elements are the next `len` replies.
pub fn array(out: &mut Output, len: usize) {
    let _ = write!(out, "*{len}\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies() {
        let mut out = Output::default();
        simple(&mut out, "OK");
        error(&mut out, "ERR no");
        integer(&mut out, -3);
        bulk(&mut out, b"hi");
        nil(&mut out);
        array(&mut out, 1);
        bulk(&mut out, b"");
        let value: Rc<[u8]> = vec![b'x'; 20_000].into();
        bulk_value(&mut out, &value);
        let written: Vec<u8> = out.slices().iter().flat_map(|s| s.to_vec()).collect();
        let (start, value_reply) = written.split_at(written.len() - 20_000 - 10);
        assert_eq!(value_reply, [&b"$20000\r\n"[..], &value, b"\r\n"].concat());
        assert_eq!(
            start,
            b"+OK\r\n-ERR no\r\n:-3\r\n$2\r\nhi\r\n$-1\r\n*1\r\n$0\r\n\r\n"
        );
    }
}
