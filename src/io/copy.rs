//! `copy`: move every byte from a reader to a writer.

#![deny(unsafe_code)]

use std::io;

use futures_io::{AsyncRead, AsyncWrite};

use super::{AsyncReadExt, AsyncWriteExt};

/// The size of the buffer `copy` moves bytes through.
const COPY_BUFFER: usize = 8 * 1024;

/// Copies everything `reader` yields into `writer`, until end of stream, then
/// flushes. Returns the number of bytes copied.
///
/// # Examples
///
/// ```
/// evloop::block_on(async {
///     let mut input: &[u8] = b"copied";
///     let mut output = Vec::new();
///     let n = evloop::io::copy(&mut input, &mut output).await?;
///     assert_eq!((n, output.as_slice()), (6, &b"copied"[..]));
///     std::io::Result::Ok(())
/// })?;
/// # std::io::Result::Ok(())
/// ```
pub async fn copy<R, W>(reader: &mut R, writer: &mut W) -> io::Result<u64>
where
    R: AsyncRead + Unpin + ?Sized,
    W: AsyncWrite + Unpin + ?Sized,
{
    let mut buf = vec![0; COPY_BUFFER];
    let mut total = 0u64;
    loop {
        let n = reader.read(&mut buf).await?;
        if n == 0 {
            writer.flush().await?;
            return Ok(total);
        }
        writer.write_all(&buf[..n]).await?;
        total += n as u64;
    }
}
