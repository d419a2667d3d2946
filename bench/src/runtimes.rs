//! The three runtimes under test, built the way each one's users build a
//! single-threaded runtime, and the names the command line and the table use.

use std::future::Future;
use std::rc::Rc;

use async_executor::LocalExecutor;

/// Which runtime a measurement is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Runtime {
    /// `evloop::Runtime::new()` + `block_on`, tasks from `evloop::spawn`.
    Evloop,
    /// `tokio::runtime::Builder::new_current_thread().enable_all()`, driven through a
    /// `LocalSet` so both `tokio::spawn` (Send futures) and `spawn_local` (!Send) work.
    Tokio,
    /// `async_executor::LocalExecutor` run by `async_io::block_on` (what `smol::block_on` is).
    Smol,
}

impl Runtime {
    /// Every runtime, in table order.
    pub const ALL: [Runtime; 3] = [Runtime::Evloop, Runtime::Tokio, Runtime::Smol];

    /// The name on the command line and in the table.
    pub fn name(self) -> &'static str {
        match self {
            Runtime::Evloop => "evloop",
            Runtime::Tokio => "tokio",
            Runtime::Smol => "smol",
        }
    }

    /// The runtime called `name`, if any.
    pub fn from_name(name: &str) -> Option<Runtime> {
        Runtime::ALL.into_iter().find(|rt| rt.name() == name)
    }

    /// Position in [`Runtime::ALL`], for per-runtime arrays.
    pub fn index(self) -> usize {
        self as usize
    }
}

/// Runs `future` on a fresh evloop runtime.
pub fn on_evloop<F: Future>(future: F) -> F::Output {
    let runtime = evloop::Runtime::new().expect("cannot create an evloop runtime");
    runtime.block_on(future)
}

/// Runs `future` on a fresh tokio current-thread runtime, inside a `LocalSet`.
pub fn on_tokio<F: Future>(future: F) -> F::Output {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("cannot create a tokio runtime");
    tokio::task::LocalSet::new().block_on(&runtime, future)
}

/// Runs the future that `body` makes on a fresh smol `LocalExecutor`; `body` gets the
/// executor to spawn on.
pub fn on_smol<F, B>(body: B) -> F::Output
where
    B: FnOnce(Rc<LocalExecutor<'static>>) -> F,
    F: Future,
{
    let executor = Rc::new(LocalExecutor::new());
    async_io::block_on(executor.run(body(executor.clone())))
}
