//! The HTTP side of `http_hello`: one connection's received bytes, cut into request
//! heads, each answered with a ready-made response.
//!
//! Only what a hello-world server needs is parsed: the request line's version and the
//! `Connection`, `Content-Length` and `Transfer-Encoding` headers. Everything else in
//! the head is skipped.

/// The reply to every request, preformatted: answering costs a `memcpy`.
const HELLO: &[u8] =
    b"HTTP/1.1 200 OK\r\nContent-Length: 13\r\nContent-Type: text/plain\r\n\r\nHello, World!";

/// The same reply, telling the client that the server closes the connection after it.
const HELLO_CLOSE: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 13\r\nContent-Type: text/plain\r\n\
      Connection: close\r\n\r\nHello, World!";

/// The reply to a head longer than [`MAX_HEAD`].
const TOO_LARGE: &[u8] =
    b"HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

/// The reply to a head this server cannot read.
const BAD_REQUEST: &[u8] =
    b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

/// The read buffer each connection starts with: room for dozens of typical heads.
const INITIAL_BUFFER: usize = 4 * 1024;

/// The longest request head accepted; the buffer grows to this size at most.
const MAX_HEAD: usize = 8 * 1024;

/// The bytes received on one connection that are not answered yet.
pub struct Inbox {
    buf: Vec<u8>,
    /// `buf[..filled]` holds received bytes: the start of the next request head.
    filled: usize,
    /// Body bytes of the last request that have not arrived yet (they are skipped).
    skip: usize,
}

/// What the connection does after the responses in `out` are written.
#[derive(Debug, PartialEq, Eq)]
pub enum After {
    /// Read the next request.
    KeepOpen,
    /// Close the connection.
    Close,
}

impl Inbox {
    pub fn new() -> Inbox {
        Inbox {
            buf: vec![0; INITIAL_BUFFER],
            filled: 0,
            skip: 0,
        }
    }

    /// Whether the connection is between requests: nothing of the next one received.
    pub fn is_idle(&self) -> bool {
        self.filled == 0 && self.skip == 0
    }

    /// Where the next read goes. Never empty (see [`answer`](Self::answer)).
    pub fn spare(&mut self) -> &mut [u8] {
        &mut self.buf[self.filled..]
    }

    /// Takes in `n` bytes just read into [`spare`](Self::spare) and appends a response
    /// for every complete request to `out`, in order: several when the client sent
    /// them pipelined, none while a head is still partial. With `closing`, the next
    /// request is the last one answered.
    pub fn answer(&mut self, n: usize, out: &mut Vec<u8>, closing: bool) -> After {
        self.filled += n;
        let mut start = 0;
        loop {
            let skipped = self.skip.min(self.filled - start);
            start += skipped;
            self.skip -= skipped;
            if self.skip > 0 {
                break;
            }
            match parse_head(&self.buf[start..self.filled]) {
                Head::Partial => break,
                Head::Invalid => {
                    out.extend_from_slice(BAD_REQUEST);
                    return After::Close;
                }
                Head::Complete(request) => {
                    start += request.head_len;
                    self.skip = request.body_len;
                    if request.close || closing {
                        out.extend_from_slice(HELLO_CLOSE);
                        return After::Close;
                    }
                    out.extend_from_slice(HELLO);
                }
            }
        }
        // Keep the partial head, at the front.
        self.buf.copy_within(start..self.filled, 0);
        self.filled -= start;
        if self.filled == self.buf.len() {
            if self.buf.len() == MAX_HEAD {
                out.extend_from_slice(TOO_LARGE);
                return After::Close;
            }
            self.buf.resize(MAX_HEAD, 0);
        }
        After::KeepOpen
    }
}

/// What the front of the buffer holds.
enum Head {
    Complete(Request),
    /// No blank line yet: the head goes on in the next read.
    Partial,
    Invalid,
}

struct Request {
    /// Bytes of the head, blank line included.
    head_len: usize,
    /// `Content-Length`: body bytes after the head.
    body_len: usize,
    /// The client asked for the connection to close after the response (or speaks
    /// HTTP/1.0, where closing is the default; this server does not do 1.0 keep-alive).
    close: bool,
}

/// Reads the head at the front of `buf` line by line, in one pass: each byte is looked
/// at once on the way to the `\n` that ends its line, and the blank line that ends the
/// head is found on the way. A malformed line is refused as soon as it is complete.
fn parse_head(buf: &[u8]) -> Head {
    let mut lines = Lines { buf, consumed: 0 };
    let Some(request_line) = lines.next() else {
        return Head::Partial;
    };
    let mut close = match request_line.trim_ascii().rsplit(|&b| b == b' ').next() {
        Some(b"HTTP/1.1") => false,
        Some(b"HTTP/1.0") => true,
        _ => return Head::Invalid,
    };
    let mut body_len = 0;
    loop {
        let Some(line) = lines.next() else {
            return Head::Partial;
        };
        if line.is_empty() {
            break;
        }
        let line = line.trim_ascii();
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            return Head::Invalid;
        };
        let (name, value) = (&line[..colon], line[colon + 1..].trim_ascii());
        // Most headers (Host, User-Agent, Accept...) are none of these three: the
        // length comparison inside `eq_ignore_ascii_case` turns them away cheaply.
        if name.eq_ignore_ascii_case(b"connection") {
            close |= value
                .split(|&b| b == b',')
                .any(|option| option.trim_ascii().eq_ignore_ascii_case(b"close"));
        } else if name.eq_ignore_ascii_case(b"content-length") {
            match std::str::from_utf8(value).ok().and_then(|v| v.parse().ok()) {
                Some(len) => body_len = len,
                None => return Head::Invalid,
            }
        } else if name.eq_ignore_ascii_case(b"transfer-encoding") {
            // A chunked body has no length up front; rather than misread it as
            // requests, refuse it.
            return Head::Invalid;
        }
    }
    Head::Complete(Request {
        head_len: lines.consumed,
        body_len,
        close,
    })
}

/// The complete lines at the front of a buffer, without their `\r\n` (or bare `\n`);
/// a line whose `\n` has not arrived yet is not yielded. Only a truly empty line ends
/// a head: one of blanks is a malformed header line.
struct Lines<'a> {
    buf: &'a [u8],
    /// Bytes taken by the lines yielded so far, `\n`s included: where the next line
    /// starts, and after the head's blank line the head's length.
    consumed: usize,
}

impl<'a> Iterator for Lines<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let rest = &self.buf[self.consumed..];
        let end = rest.iter().position(|&b| b == b'\n')?;
        self.consumed += end + 1;
        let line = &rest[..end];
        Some(line.strip_suffix(b"\r").unwrap_or(line))
    }
}
