//! Child processes: [`Command`] starts one, [`Child`] waits for it and talks to it
//! through pipes, all on the reactor.
//!
//! The API is `tokio::process`'s, so porting is a change of imports. The builder is
//! std's `Command` inside; what evloop adds is how the parent waits:
//!
//! - **Pipes** ([`ChildStdin`], [`ChildStdout`], [`ChildStderr`]) are the parent's
//!   ends of the child's stdio, made non-blocking and registered with the reactor
//!   once, edge-triggered, like sockets. They implement `AsyncWrite` and `AsyncRead`.
//! - **The exit** is seen through a *pidfd* (`pidfd_open`, Linux 5.3): a file
//!   descriptor for the process that epoll reports readable once it has exited. The
//!   task waiting in [`Child::wait`] is woken like any socket reader, and only then
//!   asks the kernel for the status (`waitid`, which also reaps the child). No
//!   `SIGCHLD` handler, no thread. On a kernel without `pidfd_open` (`ENOSYS`),
//!   evloop falls back to `SIGCHLD` through [`signal`](crate::signal): each delivery
//!   makes the waiting tasks ask their child, without blocking, whether it is done.
//! - **No zombies.** A [`Child`] dropped before it was reaped is still reaped once it
//!   exits, by a small task on its runtime ([`Command::kill_on_drop`] kills it
//!   first). A child whose runtime is gone (dropped, or shutting down) is handed to
//!   a short-lived thread that blocks in `waitpid` for it.
//!
//! A `Child` belongs to the runtime it was spawned in: awaiting it in another one is
//! an error, as for sockets. The guide's chapter "Processes and standard streams"
//! walks through one exit, from the kernel to the waiting task.
//!
//! # Examples
//!
//! Feeding a child's stdin while reading its stdout:
//!
//! ```
//! use std::process::Stdio;
//! use evloop::io::{AsyncReadExt, AsyncWriteExt};
//! use evloop::process::Command;
//!
//! # #[cfg(not(miri))]
//! evloop::block_on(async {
//!     let mut child = Command::new("tr")
//!         .arg("a-z")
//!         .arg("A-Z")
//!         .stdin(Stdio::piped())
//!         .stdout(Stdio::piped())
//!         .spawn()?;
//!     let mut stdin = child.stdin.take().unwrap();
//!     let writer = evloop::spawn(async move {
//!         stdin.write_all(b"shout\n").await?;
//!         // Dropping (or closing) stdin is the child's end of file.
//!         stdin.close().await
//!     });
//!     let mut upper = String::new();
//!     child.stdout.take().unwrap().read_to_string(&mut upper).await?;
//!     writer.await.unwrap()?;
//!     assert_eq!(upper, "SHOUT\n");
//!     assert!(child.wait().await?.success());
//!     std::io::Result::Ok(())
//! })?;
//! # std::io::Result::Ok(())
//! ```

#![deny(unsafe_code)]

mod child;
mod command;
mod exit;
mod orphan;
mod pipes;

pub use child::Child;
pub use command::Command;
pub use pipes::{ChildStderr, ChildStdin, ChildStdout};
