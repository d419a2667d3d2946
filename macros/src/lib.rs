//! The `#[evloop::main]` and `#[evloop::test]` attributes.
//!
//! Use them through the `evloop` crate, which re-exports both. Each one turns an
//! `async fn` into a plain `fn` that creates a runtime and blocks on the original body:
//!
//! ```text
//! #[evloop::main]                   fn main() -> R {
//! async fn main() -> R {                let body = async move { BODY };
//!     BODY                  =>          let runtime = ::evloop::Runtime::new()
//! }                                         .expect("evloop: cannot create the runtime");
//!                                       runtime.block_on(body)
//!                                   }
//! ```
//!
//! `#[evloop::test]` does the same and puts `#[::core::prelude::v1::test]` in front.
//! That is all they do: the body stays the tokens you wrote, so errors in it point at
//! your code, `?` works with the declared return type, and `return` leaves the body.
//!
//! # Arguments
//!
//! - `crate = "path"` (or `crate = path`): where to find evloop, if you renamed it in
//!   `Cargo.toml`. The default is `::evloop`.
//! - `start_paused` (or `start_paused = true`): build the runtime with
//!   `Runtime::builder().start_paused(true).build()`, so its clock stands still until
//!   every task waits, then jumps to the next timer (see `evloop::time`). For tests of
//!   code full of timeouts: they run in no real time. `start_paused = false` is the
//!   default.
//!
//! # Errors
//!
//! Every problem becomes a `compile_error!` at the tokens that cause it, and all of them
//! are reported at once. The function itself is still emitted next to the errors, so
//! an IDE keeps resolving the names in it. A function without `async` is emitted
//! unchanged, so the only error is the one that says to add `async`.
//!
//! This crate uses only the compiler's `proc_macro` API: no `syn`, no `quote`. The
//! input is walked token by token in `Function::parse`.
//!
//! The modules follow the expansion: `args` reads the attribute's arguments,
//! `function` reads the item, `expansion` writes the new `fn`, and `error` turns what
//! went wrong into `compile_error!`s; `tokens` has the helpers they share.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod args;
mod error;
mod expansion;
mod function;
mod tokens;

use proc_macro::TokenStream;

use crate::args::Args;
use crate::error::Error;
use crate::function::Function;

/// Runs an `async fn` to completion in a new evloop runtime.
///
/// ```text
/// #[evloop::main]
/// async fn main() -> std::io::Result<()> { BODY }
/// ```
///
/// becomes
///
/// ```text
/// fn main() -> std::io::Result<()> {
///     let body = async move { BODY };
///     let runtime = ::evloop::Runtime::new().expect("evloop: cannot create the runtime");
///     runtime.block_on(body)
/// }
/// ```
///
/// The function may have any name and any return type, but no parameters or generic
/// parameters. Write `#[evloop::main(crate = "my_evloop")]` if you renamed the crate.
///
/// # Panics
///
/// The generated function panics if the runtime cannot be created (the process is out
/// of file descriptors), if it is called inside a running evloop runtime, or if the body
/// panics.
///
/// # Examples
///
/// ```no_run
/// #[evloop::main]
/// async fn main() -> std::io::Result<()> {
///     let answer = evloop::spawn(async { 6 * 7 }).await.unwrap();
///     println!("{answer}");
///     Ok(())
/// }
/// ```
#[proc_macro_attribute]
pub fn main(args: TokenStream, item: TokenStream) -> TokenStream {
    expand(Kind::Main, args, item)
}

/// Runs an `async fn` test in its own evloop runtime.
///
/// The same as [`macro@main`], with `#[test]` added. Other attributes, such as
/// `#[should_panic]` or `#[ignore]`, are kept. The test may return a `Result`.
///
/// `#[evloop::test(start_paused)]` starts the runtime with its clock paused: time
/// stands still while tasks run and jumps to the next timer's deadline when they all
/// wait, so sleeps and timeouts take no real time.
///
/// # Examples
///
/// ```no_run
/// #[evloop::test]
/// async fn spawned_task_finishes() {
///     let handle = evloop::spawn(async { 1 + 1 });
///     assert_eq!(handle.await.unwrap(), 2);
/// }
///
/// #[evloop::test(start_paused)]
/// async fn a_minute_passes_at_once() {
///     use evloop::time::{self, Duration, Instant};
///
///     let start = Instant::now();
///     time::sleep(Duration::from_secs(60)).await;
///     assert_eq!(start.elapsed(), Duration::from_secs(60));
/// }
/// # fn main() {}
/// ```
#[proc_macro_attribute]
pub fn test(args: TokenStream, item: TokenStream) -> TokenStream {
    expand(Kind::Test, args, item)
}

/// Which attribute is being expanded: the two share everything but a few messages and
/// the test attribute.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `#[evloop::main]`.
    Main,
    /// `#[evloop::test]`, which also adds `#[test]`.
    Test,
}

impl Kind {
    /// The attribute as users write it, for error messages.
    fn name(self) -> &'static str {
        match self {
            Kind::Main => "#[evloop::main]",
            Kind::Test => "#[evloop::test]",
        }
    }
}

/// Parses both inputs, then emits the errors followed by the function, so that every
/// problem is reported at once and names in the body still resolve.
fn expand(kind: Kind, args: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Vec::new();
    let args = Args::parse(kind, args, &mut errors);
    let function = match Function::parse(kind, item.clone(), &mut errors) {
        Some(function) => function.expand(kind, &args, !errors.is_empty()),
        // Not an `async fn`: emit the item unchanged, so that only our error shows.
        None => item,
    };
    let mut output: TokenStream = errors.iter().map(Error::to_compile_error).collect();
    output.extend(function);
    output
}
