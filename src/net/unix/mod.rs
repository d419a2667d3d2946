//! Unix domain sockets: listeners, streams and datagram sockets named by file system
//! paths, for processes on the same machine.

mod datagram;
mod listener;
mod split;
mod stream;

pub use datagram::UnixDatagram;
pub use listener::{Incoming, UnixListener};
pub use split::{OwnedReadHalf, OwnedWriteHalf};
pub use stream::UnixStream;
