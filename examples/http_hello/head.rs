//! Reading a request head (RFC 9112): the request line, the header fields, the blank
//! line that ends them.
//!
//! Only what a hello-world server needs is kept: the version and the `Connection`,
//! `Content-Length` and `Host` fields. But every line is checked as strictly as a
//! server behind a proxy must be. When two HTTP parsers disagree about where a
//! request ends, an attacker can hide a second request inside the first one
//! ("request smuggling"), so anything the RFC calls invalid is refused rather than
//! guessed at: control bytes and NUL, a CR not followed by LF, a request line that is
//! not exactly `method SP target SP HTTP/1.x`, whitespace before a field's colon, a
//! folded (continued) field line, a `Content-Length` with a sign, a list, or a value
//! that differs from another `Content-Length`, `Transfer-Encoding` (this server reads
//! no chunked bodies), and an HTTP/1.1 request without exactly one `Host`.
//!
//! The parser keeps its place: a head that arrives in many reads is scanned once,
//! each byte checked on the way to the `\n` that ends its line.

/// What a byte may be, inside a head.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    /// Visible ASCII, space, tab, and bytes over 0x7F (`obs-text`, allowed in values).
    Plain,
    /// `\r`: only allowed right before `\n`.
    CarriageReturn,
    /// `\n`: ends a line.
    LineFeed,
    /// NUL, other control bytes and DEL: never allowed.
    Forbidden,
}

/// Every byte's class, looked up once per byte.
const CLASSES: [Class; 256] = {
    let mut classes = [Class::Plain; 256];
    let mut byte = 0;
    while byte < 0x20 {
        classes[byte] = Class::Forbidden;
        byte += 1;
    }
    classes[b'\t' as usize] = Class::Plain;
    classes[b'\r' as usize] = Class::CarriageReturn;
    classes[b'\n' as usize] = Class::LineFeed;
    classes[0x7f] = Class::Forbidden;
    classes
};

/// What the front of the buffer holds.
#[derive(Debug, PartialEq, Eq)]
pub enum Head {
    Complete(Request),
    /// No blank line yet: the head goes on in the next read.
    Partial,
    /// The head breaks the RFC: the answer is 400 and a close.
    Invalid,
}

/// What the server needs to know about one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// Bytes of the head, blank line included.
    pub head_len: usize,
    /// `Content-Length`: body bytes after the head.
    pub body_len: usize,
    /// The client asked for the connection to close after the response (or speaks
    /// HTTP/1.0, where closing is the default; this server does not do 1.0
    /// keep-alive).
    pub close: bool,
}

/// Reads one head, across as many reads as it takes.
///
/// Each call gets the buffer from the head's first byte to the last byte received;
/// bytes already passed must not change (they may move, with the rest: the parser
/// keeps offsets from the head's start).
#[derive(Debug, Default)]
pub struct HeadParser {
    /// Bytes taken by whole lines so far: where the next line starts.
    consumed: usize,
    /// How far the next line has been scanned and found valid, without its end.
    scanned: usize,
    /// Known once the request line is read.
    fields: Option<Fields>,
}

/// What the lines read so far said.
#[derive(Debug, Default)]
struct Fields {
    http_1_1: bool,
    close: bool,
    content_length: Option<usize>,
    hosts: usize,
}

impl HeadParser {
    /// Goes on reading the head at the front of `buf`. After `Complete` or `Invalid`
    /// the parser is ready for the next head.
    pub fn parse(&mut self, buf: &[u8]) -> Head {
        let head = self.parse_lines(buf);
        if head != Head::Partial {
            *self = HeadParser::default();
        }
        head
    }

    fn parse_lines(&mut self, buf: &[u8]) -> Head {
        loop {
            let line = match self.next_line(buf) {
                Scan::Line(line) => line,
                Scan::Partial => return Head::Partial,
                Scan::Invalid => return Head::Invalid,
            };
            let Some(fields) = &mut self.fields else {
                // Empty lines before the request line are skipped (RFC 9112, 2.2).
                if !line.is_empty() {
                    match request_line(line) {
                        Some(fields) => self.fields = Some(fields),
                        None => return Head::Invalid,
                    }
                }
                continue;
            };
            if !line.is_empty() {
                if !field_line(line, fields) {
                    return Head::Invalid;
                }
                continue;
            }
            // The blank line: the head is complete.
            if fields.http_1_1 && fields.hosts != 1 {
                return Head::Invalid;
            }
            return Head::Complete(Request {
                head_len: self.consumed,
                body_len: fields.content_length.unwrap_or(0),
                close: fields.close || !fields.http_1_1,
            });
        }
    }

    /// The next whole line, without its `\r\n` (or bare `\n`), checked byte by byte.
    fn next_line<'b>(&mut self, buf: &'b [u8]) -> Scan<'b> {
        let start = self.consumed;
        let mut at = self.scanned.max(start);
        // The plain bytes, nearly all of them, in a tight loop.
        let special = buf[at..]
            .iter()
            .position(|&b| CLASSES[usize::from(b)] != Class::Plain);
        let Some(offset) = special else {
            self.scanned = buf.len();
            return Scan::Partial;
        };
        at += offset;
        let end = at;
        match CLASSES[usize::from(buf[at])] {
            Class::LineFeed => {}
            // Whether it is followed by `\n` is not known yet: look again later.
            Class::CarriageReturn if at + 1 == buf.len() => {
                self.scanned = at;
                return Scan::Partial;
            }
            Class::CarriageReturn if buf[at + 1] == b'\n' => at += 1,
            _ => return Scan::Invalid,
        }
        self.consumed = at + 1;
        self.scanned = at + 1;
        Scan::Line(&buf[start..end])
    }
}

/// One step of reading lines.
enum Scan<'b> {
    Line(&'b [u8]),
    Partial,
    Invalid,
}

/// `method SP request-target SP HTTP-version`, exactly: a token, a target of visible
/// ASCII, and HTTP/1.0 or HTTP/1.1.
fn request_line(line: &[u8]) -> Option<Fields> {
    let mut parts = line.split(|&b| b == b' ');
    let (method, target, version) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || !is_token(method) || target.is_empty() {
        return None;
    }
    if !target.iter().all(|b| (0x21..=0x7e).contains(b)) {
        return None;
    }
    let http_1_1 = match version {
        b"HTTP/1.1" => true,
        b"HTTP/1.0" => false,
        _ => return None,
    };
    Some(Fields {
        http_1_1,
        ..Fields::default()
    })
}

/// `name: value`; takes what the server needs from it into `fields`. `false` if the
/// line is invalid.
fn field_line(line: &[u8], fields: &mut Fields) -> bool {
    let Some(colon) = line.iter().position(|&b| b == b':') else {
        return false;
    };
    // A token: no whitespace before the colon, and no leading whitespace (that
    // would be a folded continuation of the previous field).
    let name = &line[..colon];
    if !is_token(name) {
        return false;
    }
    let value = line[colon + 1..].trim_ascii();
    // Most fields (User-Agent, Accept...) are none of these: the length comparison
    // inside `eq_ignore_ascii_case` turns them away cheaply.
    if name.eq_ignore_ascii_case(b"connection") {
        fields.close |= value
            .split(|&b| b == b',')
            .any(|option| option.trim_ascii().eq_ignore_ascii_case(b"close"));
    } else if name.eq_ignore_ascii_case(b"content-length") {
        let Some(len) = content_length(value) else {
            return false;
        };
        if fields.content_length.is_some_and(|earlier| earlier != len) {
            return false;
        }
        fields.content_length = Some(len);
    } else if name.eq_ignore_ascii_case(b"host") {
        fields.hosts += 1;
    } else if name.eq_ignore_ascii_case(b"transfer-encoding") {
        // A chunked body has no length up front; rather than misread it as
        // requests, refuse it.
        return false;
    }
    true
}

/// `1*DIGIT`, that fits a `usize`: no sign, no spaces inside, no list.
fn content_length(value: &[u8]) -> Option<usize> {
    if value.is_empty() {
        return None;
    }
    value.iter().try_fold(0usize, |len, &b| {
        let digit = char::from(b).to_digit(10)?;
        len.checked_mul(10)?.checked_add(digit as usize)
    })
}

/// The bytes of a token (RFC 9110, 5.6.2): the visible ASCII characters that are
/// not delimiters.
const TOKEN_BYTES: [bool; 256] = {
    let mut token = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        token[byte] = b.is_ascii_alphanumeric();
        byte += 1;
    }
    let others = b"!#$%&'*+-.^_`|~";
    let mut i = 0;
    while i < others.len() {
        token[others[i] as usize] = true;
        i += 1;
    }
    token
};

/// A token: one or more token bytes.
fn is_token(bytes: &[u8]) -> bool {
    !bytes.is_empty() && bytes.iter().all(|&b| TOKEN_BYTES[usize::from(b)])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(head: &[u8]) -> Head {
        HeadParser::default().parse(head)
    }

    fn complete(head: &[u8]) -> Request {
        match parse(head) {
            Head::Complete(request) => request,
            other => panic!("{:?}: {other:?}", String::from_utf8_lossy(head)),
        }
    }

    #[test]
    fn a_simple_head() {
        let head = b"GET / HTTP/1.1\r\nHost: a\r\n\r\nGET";
        let request = complete(head);
        assert_eq!(request.head_len, head.len() - 3);
        assert_eq!((request.body_len, request.close), (0, false));
    }

    #[test]
    fn what_the_server_reads_from_the_fields() {
        let request = complete(b"POST /x HTTP/1.1\r\nhost: a\r\ncontent-length: 12\r\n\r\n");
        assert_eq!(request.body_len, 12);
        let request = complete(b"GET / HTTP/1.1\nHost: a\nConnection: keep-alive, close\n\n");
        assert!(request.close);
        let request = complete(b"GET / HTTP/1.0\r\n\r\n");
        assert!(request.close, "1.0 closes, and needs no Host");
        let request = complete(b"\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n");
        assert_eq!(request.head_len, 31, "empty lines before the request count");
        let same_twice =
            b"PUT / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n";
        assert_eq!(complete(same_twice).body_len, 3);
    }

    #[test]
    fn every_prefix_of_a_head_is_partial() {
        let head = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n";
        for end in 0..head.len() {
            assert_eq!(parse(&head[..end]), Head::Partial, "{end} bytes");
        }
    }

    #[test]
    fn a_head_fed_a_byte_at_a_time_keeps_its_place() {
        let head = b"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\n";
        let mut parser = HeadParser::default();
        for end in 0..head.len() {
            assert_eq!(parser.parse(&head[..end]), Head::Partial, "{end} bytes");
        }
        assert_eq!(parser.parse(head), Head::Complete(complete(head)));
    }

    #[test]
    fn heads_that_break_the_rfc_are_invalid() {
        for bad in [
            &b"HTTP/1.1\r\nHost: a\r\n\r\n"[..],
            b"GET HTTP/1.1\r\nHost: a\r\n\r\n",
            b"GET  / HTTP/1.1\r\nHost: a\r\n\r\n",
            b"GET / HTTP/1.1 \r\nHost: a\r\n\r\n",
            b"GET / HTTP/2.0\r\nHost: a\r\n\r\n",
            b"GET / SPDY/3\r\n\r\n",
            b"G(T / HTTP/1.1\r\nHost: a\r\n\r\n",
            b"GET /\x7f HTTP/1.1\r\nHost: a\r\n\r\n",
            b"GET / HTTP/1.1\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: -5\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost : a\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: a\r\nno colon\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: a\r\n  \r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: a\0b\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: a\x01\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: a\r\n\r\r\n",
        ] {
            assert_eq!(
                parse(bad),
                Head::Invalid,
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn a_lone_cr_at_the_end_waits_for_what_follows() {
        assert_eq!(parse(b"GET / HTTP/1.1\r"), Head::Partial);
        assert_eq!(parse(b"GET / HTTP/1.1\rX"), Head::Invalid);
    }
}
