//! One connection's received bytes, cut into request heads (read by `head.rs`), each
//! answered with a ready-made response.

use crate::head::{Head, HeadParser};

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

/// The reply to a client too slow to send its request head.
pub const REQUEST_TIMEOUT: &[u8] =
    b"HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

/// The reply to a connection over the server's cap.
pub const UNAVAILABLE: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\
      Connection: close\r\nRetry-After: 1\r\n\r\n";

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
    /// Where it is in the head at the front of `buf`.
    parser: HeadParser,
}

/// What the connection does after the responses in `out` are written.
#[derive(Debug, PartialEq, Eq)]
pub enum After {
    /// Read the next request.
    KeepOpen,
    /// Close the connection: the responses say so.
    Close,
    /// Close the connection: the last response is an error (400, 431).
    Refuse,
}

/// What a connection kept open waits for.
#[derive(Debug, PartialEq, Eq)]
pub enum Waiting {
    /// The next request; nothing of it has come.
    NextRequest,
    /// The rest of a request head.
    Head,
    /// The rest of a request body.
    Body,
}

impl Inbox {
    pub fn new() -> Inbox {
        Inbox {
            buf: vec![0; INITIAL_BUFFER],
            filled: 0,
            skip: 0,
            parser: HeadParser::default(),
        }
    }

    /// Whether the connection is between requests: nothing of the next one received.
    pub fn is_idle(&self) -> bool {
        self.waiting() == Waiting::NextRequest
    }

    pub fn waiting(&self) -> Waiting {
        if self.skip > 0 {
            Waiting::Body
        } else if self.filled > 0 {
            Waiting::Head
        } else {
            Waiting::NextRequest
        }
    }

    /// Where the next read goes. Never empty (see [`answer`](Self::answer)).
    pub fn spare(&mut self) -> &mut [u8] {
        &mut self.buf[self.filled..]
    }

    /// Takes in `n` bytes just read into [`spare`](Self::spare) and appends a response
    /// for every complete request to `out`, in order: several when the client sent
    /// them pipelined, none while a head is still partial. With `closing`, the next
    /// request is the last one answered. Returns how many requests were answered,
    /// and what to do next.
    pub fn answer(&mut self, n: usize, out: &mut Vec<u8>, closing: bool) -> (usize, After) {
        self.filled += n;
        let mut start = 0;
        let mut answered = 0;
        loop {
            let skipped = self.skip.min(self.filled - start);
            start += skipped;
            self.skip -= skipped;
            if self.skip > 0 {
                break;
            }
            match self.parser.parse(&self.buf[start..self.filled]) {
                Head::Partial => break,
                Head::Invalid => {
                    out.extend_from_slice(BAD_REQUEST);
                    return (answered, After::Refuse);
                }
                Head::Complete(request) => {
                    answered += 1;
                    start += request.head_len;
                    self.skip = request.body_len;
                    if request.close || closing {
                        out.extend_from_slice(HELLO_CLOSE);
                        return (answered, After::Close);
                    }
                    out.extend_from_slice(HELLO);
                }
            }
        }
        // Keep the partial head, at the front (the parser counts from its start).
        if start > 0 {
            self.buf.copy_within(start..self.filled, 0);
            self.filled -= start;
        }
        if self.filled == self.buf.len() {
            if self.buf.len() == MAX_HEAD {
                out.extend_from_slice(TOO_LARGE);
                return (answered, After::Refuse);
            }
            self.buf.resize(MAX_HEAD, 0);
        }
        (answered, After::KeepOpen)
    }
}
