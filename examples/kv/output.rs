//! A connection's unsent replies: bytes written by the reply functions, and values
//! shared with the store.
//!
//! A `GET` of a 64 MiB value must not copy 64 MiB: that copy would hold the loop for
//! tens of milliseconds, and a client asking for it again and again would make the
//! server hold one copy per reply. So a big value goes out as a reference to the
//! store's own bytes (an `Rc<[u8]>`, one thread, no atomics), and the connection
//! writes the replies with one vectored write (`writev`) over all the pieces.

use std::collections::VecDeque;
use std::io::IoSlice;
use std::rc::Rc;

/// Values at least this long are shared with the store rather than copied: below it,
/// copying costs less than one more piece to write.
const SHARE_FROM: usize = 16 * 1024;
/// The most pieces one write hands the kernel (Linux takes up to 1024).
const MAX_PIECES: usize = 64;
/// A byte piece bigger than this, once sent, is dropped rather than kept for reuse.
const KEEP_CAPACITY: usize = 64 * 1024;

/// The replies not written yet, in order.
#[derive(Default)]
pub struct Output {
    pieces: VecDeque<Piece>,
    /// How much of the front piece is written already.
    front_sent: usize,
    /// Bytes not written yet, in all pieces.
    unsent: usize,
}

enum Piece {
    Bytes(Vec<u8>),
    Shared(Rc<[u8]>),
}

impl Piece {
    fn as_slice(&self) -> &[u8] {
        match self {
            Piece::Bytes(bytes) => bytes,
            Piece::Shared(value) => value,
        }
    }
}

/// Lets the reply functions `write!` numbers straight into the output.
impl std::fmt::Write for Output {
    fn write_str(&mut self, text: &str) -> std::fmt::Result {
        self.extend(text.as_bytes());
        Ok(())
    }
}

impl Output {
    /// How many bytes are waiting to be written.
    pub fn len(&self) -> usize {
        self.unsent
    }

    pub fn is_empty(&self) -> bool {
        self.unsent == 0
    }

    /// Appends `bytes`.
    pub fn extend(&mut self, bytes: &[u8]) {
        if !matches!(self.pieces.back(), Some(Piece::Bytes(_))) {
            self.pieces.push_back(Piece::Bytes(Vec::new()));
        }
        if let Some(Piece::Bytes(last)) = self.pieces.back_mut() {
            last.extend_from_slice(bytes);
        }
        self.unsent += bytes.len();
    }

    /// Appends a value from the store: shared if it is big, copied if not.
    pub fn extend_shared(&mut self, value: &Rc<[u8]>) {
        if value.len() < SHARE_FROM {
            return self.extend(value);
        }
        self.pieces.push_back(Piece::Shared(value.clone()));
        self.unsent += value.len();
    }

    /// The unsent bytes, as slices for one vectored write.
    pub fn slices(&self) -> Vec<IoSlice<'_>> {
        let mut slices = Vec::with_capacity(self.pieces.len().min(MAX_PIECES));
        for (i, piece) in self.pieces.iter().take(MAX_PIECES).enumerate() {
            let bytes = piece.as_slice();
            let skip = if i == 0 { self.front_sent } else { 0 };
            slices.push(IoSlice::new(&bytes[skip..]));
        }
        slices
    }

    /// All the unsent bytes in one buffer (for the last replies of a connection).
    pub fn to_vec(&self) -> Vec<u8> {
        let mut all = Vec::with_capacity(self.unsent);
        for (i, piece) in self.pieces.iter().enumerate() {
            let skip = if i == 0 { self.front_sent } else { 0 };
            all.extend_from_slice(&piece.as_slice()[skip..]);
        }
        all
    }

    /// Takes `n` written bytes off the front.
    pub fn advance(&mut self, mut n: usize) {
        self.unsent -= n;
        while n > 0 {
            let front = self
                .pieces
                .front()
                .expect("written bytes were unsent")
                .as_slice();
            let left = front.len() - self.front_sent;
            if n < left {
                self.front_sent += n;
                return;
            }
            n -= left;
            self.front_sent = 0;
            let done = self.pieces.pop_front().expect("just looked at it");
            // Keep one small byte piece for the next replies.
            if let Piece::Bytes(mut bytes) = done {
                if self.pieces.is_empty() && bytes.capacity() <= KEEP_CAPACITY {
                    bytes.clear();
                    self.pieces.push_back(Piece::Bytes(bytes));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unsent(output: &Output) -> Vec<u8> {
        output.slices().iter().flat_map(|s| s.to_vec()).collect()
    }

    #[test]
    fn bytes_and_shared_values_go_out_in_order() {
        let big: Rc<[u8]> = vec![b'v'; SHARE_FROM].into();
        let mut output = Output::default();
        output.extend(b"$16384\r\n");
        output.extend_shared(&big);
        output.extend(b"\r\n+OK\r\n");
        assert_eq!(Rc::strong_count(&big), 2, "shared, not copied");
        let expected = [&b"$16384\r\n"[..], &big, b"\r\n+OK\r\n"].concat();
        assert_eq!(unsent(&output), expected);
        assert_eq!(output.to_vec(), expected);
        assert_eq!(output.len(), expected.len());
        output.advance(10);
        assert_eq!(unsent(&output), expected[10..]);
        output.advance(expected.len() - 13);
        assert_eq!(unsent(&output), b"K\r\n");
        assert_eq!(Rc::strong_count(&big), 1, "a sent value is let go");
        output.advance(3);
        assert!(output.is_empty());
        assert!(output.slices().iter().all(|s| s.is_empty()));
    }

    #[test]
    fn small_values_are_copied() {
        let small: Rc<[u8]> = b"v".as_slice().into();
        let mut output = Output::default();
        output.extend_shared(&small);
        assert_eq!(Rc::strong_count(&small), 1);
        assert_eq!(unsent(&output), b"v");
    }
}
