//! Signals as async streams: [`ctrl_c`] and, for any Unix signal, [`unix::signal`].
//!
//! ```no_run
//! #[evloop::main]
//! async fn main() -> std::io::Result<()> {
//!     println!("press Ctrl-C to stop");
//!     evloop::signal::ctrl_c().await?;
//!     println!("bye");
//!     Ok(())
//! }
//! ```
//!
//! # How it works
//!
//! A signal interrupts some thread of the process, any thread that does not block it,
//! and runs a handler there. The handler may only do async-signal-safe work, so
//! evloop's does two things (see `src/sys/signal.rs`): it adds one to a per-signal
//! delivery counter, then writes to one process-wide eventfd.
//!
//! Each [`Signal`](unix::Signal) listener registers its own duplicate of that eventfd
//! with its runtime's reactor, like any socket, and remembers the counter value it has
//! seen. A write to the eventfd wakes every listener in every runtime; each one then
//! compares counters to learn whether *its* signal came. Deliveries that arrive before
//! the listener is polled again are merged into one item, as in tokio.
//!
//! # Why not signalfd
//!
//! Linux's `signalfd` looks made for this: a file descriptor that becomes readable when
//! a signal is pending. But it only receives signals that are blocked in *every*
//! thread. A thread that leaves the signal unblocked (a blocking-pool thread started
//! before the mask was set, a thread a C library starts) receives it the ordinary way
//! instead, the default action runs or nothing happens, and the Ctrl-C is lost. Other
//! runtimes dropped signalfd after exactly such bug reports. A handler works whichever
//! thread the kernel picks.
//!
//! # Caveats
//!
//! Once a signal is listened for, evloop's handler replaces its default action for the
//! whole process and for good, even after every listener is dropped, as in tokio: after
//! the first `ctrl_c()`, Ctrl-C no longer terminates the program, which must exit on
//! its own. `SIGKILL` and `SIGSTOP` cannot be caught, and the fault signals (`SIGSEGV`,
//! `SIGBUS`, `SIGILL`, `SIGFPE`) must not be: listening for them is an `InvalidInput`
//! error.

#![deny(unsafe_code)]

pub mod unix;

use std::io;

/// Waits for the next Ctrl-C (`SIGINT`).
///
/// The listener is created when the future is first polled: a Ctrl-C before that is
/// not seen. See the [module docs](self) for what listening does to the process.
///
/// # Errors
///
/// If the handler cannot be installed or the eventfd cannot be registered (out of file
/// descriptors).
///
/// # Panics
///
/// Outside a runtime.
///
/// # Examples
///
/// ```no_run
/// # evloop::block_on(async {
/// evloop::signal::ctrl_c().await?;
/// println!("interrupted: shutting down");
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
pub async fn ctrl_c() -> io::Result<()> {
    let mut interrupts = unix::signal(unix::SignalKind::interrupt())?;
    interrupts.recv().await;
    Ok(())
}
