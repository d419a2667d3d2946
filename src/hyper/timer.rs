//! `Timer`: hyper's timers on evloop's.

#![deny(unsafe_code)]

use std::pin::Pin;
use std::time::{Duration, Instant as StdInstant};

use super::Sleep;
use crate::time::Instant;

/// hyper's [`Timer`](::hyper::rt::Timer) on evloop's timer heap: what hyper needs for
/// header-read timeouts (HTTP/1.1) and keep-alive pings (HTTP/2).
///
/// Each sleep is a [`Sleep`]: armed on its first poll and cancelled when hyper drops it
/// (both O(log n), no system call), and moved in place when hyper resets it. Times are
/// read from the runtime's clock, so hyper's timeouts follow a paused clock in tests.
///
/// # Examples
///
/// ```no_run
/// use std::time::Duration;
/// use evloop::hyper::{Io, Timer};
/// use evloop::net::TcpListener;
///
/// # evloop::block_on(async {
/// let listener = TcpListener::bind("127.0.0.1:8080").await?;
/// let (stream, _) = listener.accept().await?;
/// let service = hyper::service::service_fn(|_request| async {
///     Ok::<_, std::convert::Infallible>(hyper::Response::new(String::from("hi")))
/// });
/// // A client that sends no request head within 5 s is disconnected.
/// hyper::server::conn::http1::Builder::new()
///     .timer(Timer)
///     .header_read_timeout(Duration::from_secs(5))
///     .serve_connection(Io::new(stream), service)
///     .await?;
/// # Ok::<(), Box<dyn std::error::Error>>(()) }).unwrap();
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Timer;

impl ::hyper::rt::Timer for Timer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn ::hyper::rt::Sleep>> {
        Box::pin(Sleep::until(Instant::now().saturating_add(duration)))
    }

    fn sleep_until(&self, deadline: StdInstant) -> Pin<Box<dyn ::hyper::rt::Sleep>> {
        Box::pin(Sleep::until(Instant::from_std(deadline)))
    }

    fn now(&self) -> StdInstant {
        Instant::now().into_std()
    }

    fn reset(&self, sleep: &mut Pin<Box<dyn ::hyper::rt::Sleep>>, new_deadline: StdInstant) {
        match sleep.as_mut().downcast_mut_pin::<Sleep>() {
            Some(ours) => ours.get_mut().reset(Instant::from_std(new_deadline)),
            None => *sleep = self.sleep_until(new_deadline),
        }
    }
}
