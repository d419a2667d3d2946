//! `Async<T>` on fds that are not sockets: pipes, an eventfd, and a regular file that
//! epoll refuses.

use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::{FromRawFd, OwnedFd};
use std::rc::Rc;

use evloop::io::{Async, AsyncReadExt, AsyncWriteExt};

#[test]
fn a_regular_file_is_refused_with_an_explanation() {
    evloop::block_on(async {
        let file = File::open(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml")).unwrap();
        let error = Async::new(file).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::Unsupported);
        let message = error.to_string();
        assert!(message.contains("cannot be watched by epoll"), "{message}");
    });
}

#[test]
fn a_pipe_works_in_both_directions() -> io::Result<()> {
    /// More than a pipe holds (64 KiB by default), so the writer has to wait for
    /// the reader and the reader for the writer.
    const LEN: usize = 1 << 20;
    evloop::block_on(async {
        let (reader, writer) = io::pipe()?;
        let (mut reader, mut writer) = (Async::new(reader)?, Async::new(writer)?);
        let payload: Vec<u8> = (0..LEN).map(|i| (i % 251) as u8).collect();
        let sent = payload.clone();
        let writing = evloop::spawn(async move {
            writer.write_all(&sent).await?;
            // Dropping the write end gives the reader end of file.
            drop(writer);
            io::Result::Ok(())
        });
        let mut received = Vec::new();
        reader.read_to_end(&mut received).await?;
        writing.await??;
        assert!(received == payload, "{} bytes arrived", received.len());

        Ok(())
    })
}

/// A new eventfd (a counter the kernel keeps: writes add, a read takes the total).
fn eventfd() -> io::Result<File> {
    // SAFETY: eventfd takes no pointers.
    let fd = unsafe { libc::eventfd(0, libc::EFD_CLOEXEC) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `fd` is a new descriptor that nothing else owns.
    Ok(File::from(unsafe { OwnedFd::from_raw_fd(fd) }))
}

#[test]
fn an_eventfd_wakes_its_reader() -> io::Result<()> {
    evloop::block_on(async {
        let counter = Rc::new(Async::new(eventfd()?)?);
        let mut buf = [0; 8];
        assert_eq!(
            counter
                .try_read_with(|mut fd| fd.read(&mut buf))
                .unwrap_err()
                .kind(),
            io::ErrorKind::WouldBlock
        );
        let reader = counter.clone();
        let reading = evloop::spawn(async move {
            let mut buf = [0; 8];
            (&*reader).read_exact(&mut buf).await?;
            io::Result::Ok(u64::from_ne_bytes(buf))
        });
        // Let the reader wait first.
        evloop::task::yield_now().await;
        assert!(!reading.is_finished());
        (&*counter).write_all(&3u64.to_ne_bytes()).await?;
        counter
            .write_with(|mut fd| fd.write(&4u64.to_ne_bytes()))
            .await?;
        assert_eq!(reading.await??, 7);
        Ok(())
    })
}
