//! RESP2 replies, typed by their first byte: `+` simple string, `-` error, `:`
//! integer, `$` bulk string (`$-1` is nil), `*` array.
//!
//! Each function appends to the connection's output buffer; the connection writes
//! the buffer once it has answered the commands of one turn (pipelining).

use std::io::Write;

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
