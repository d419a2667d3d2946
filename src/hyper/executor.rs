//! `Executor`: hyper's background futures as evloop tasks.

#![deny(unsafe_code)]

use std::future::Future;

/// Runs the futures hyper spawns (an HTTP/2 connection's streams and its ping timer,
/// an HTTP/2 client's connection task) as tasks on the current evloop runtime.
///
/// They need not be `Send`: evloop tasks never leave their thread, so a service
/// that holds an `Rc` works with HTTP/2 too.
///
/// # Panics
///
/// When hyper spawns outside a runtime; it spawns while a connection is polled, which
/// happens inside one.
///
/// # Examples
///
/// ```no_run
/// use std::convert::Infallible;
/// use std::rc::Rc;
///
/// use evloop::hyper::{Executor, Io};
/// use evloop::net::TcpListener;
/// use http_body_util::Full;
/// use hyper::body::Bytes;
/// use hyper::service::service_fn;
///
/// # evloop::block_on(async {
/// let listener = TcpListener::bind("127.0.0.1:8080").await?;
/// let greeting = Rc::new(Bytes::from("hello over HTTP/2\n")); // not Send
/// while let Ok((stream, _)) = listener.accept().await {
///     let greeting = greeting.clone();
///     let service = service_fn(move |_request| {
///         let body = Full::new((*greeting).clone());
///         async move { Ok::<_, Infallible>(hyper::Response::new(body)) }
///     });
///     evloop::spawn(async move {
///         let connection = hyper::server::conn::http2::Builder::new(Executor)
///             .serve_connection(Io::new(stream), service);
///         if let Err(error) = connection.await {
///             eprintln!("connection: {error}");
///         }
///     });
/// }
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Executor;

impl<F> ::hyper::rt::Executor<F> for Executor
where
    F: Future + 'static,
{
    fn execute(&self, future: F) {
        // Detached: hyper keeps its own handles on what the future does.
        drop(crate::spawn(future));
    }
}
