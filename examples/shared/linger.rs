//! A lingering close: how a server hangs up after an error reply without destroying
//! that reply. Shared by the `kv` and `http_hello` examples.
//!
//! Closing a socket whose receive queue still holds unread bytes makes Linux answer
//! with a reset (RST) rather than an orderly end (FIN), and a reset may make the
//! client's kernel throw away the reply it has received but not yet handed to the
//! client: the client sees "connection reset", never the `400` or `-ERR` that says
//! why. A client that sent a bad request often sent more behind it, so after an error
//! reply the server does what nginx calls a lingering close: it shuts down its sending
//! side (the client reads the reply, then end of stream), reads and discards whatever
//! the client still sends until the client closes too, and gives up after a short
//! time so that a client that never stops costs little.

use std::net::Shutdown;
use std::time::Duration;

use evloop::io::{AsyncReadExt, AsyncWriteExt};
use evloop::net::TcpStream;
use evloop::time::timeout;

/// How long the last replies may take to send, and then how long the client has to
/// finish and close, before the connection is simply dropped.
pub const LINGER_TIME: Duration = Duration::from_secs(2);

/// Sends `last` (the replies that end the connection, an error among them), then
/// closes the connection without letting unread input turn the close into a reset,
/// waiting at most `linger` for each step. Returns the bytes sent.
pub async fn send_and_close(mut stream: TcpStream, last: &[u8], linger: Duration) -> usize {
    match timeout(linger, stream.write_all(last)).await {
        Ok(Ok(())) => {}
        // Gone, or not reading: nothing left to protect.
        _ => return 0,
    }
    let _ = stream.shutdown(Shutdown::Write);
    let mut discard = [0; 4096];
    let drain = async { while let Ok(1..) = stream.read(&mut discard).await {} };
    let _ = timeout(linger, drain).await;
    last.len()
}
