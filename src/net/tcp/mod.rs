//! TCP: listeners, streams, and sockets to configure before either.

mod listener;
mod socket;
mod split;
mod stream;

pub use listener::{Incoming, TcpListener};
pub use socket::TcpSocket;
pub use split::{OwnedReadHalf, OwnedWriteHalf};
pub use stream::TcpStream;
