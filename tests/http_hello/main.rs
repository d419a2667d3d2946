//! The `http_hello` example, run as a child process and talked to over real sockets,
//! and its request-head parser under property tests.

#[path = "../examples/alloc_probe.rs"]
mod alloc_probe;
mod head_props;
mod hostile;
mod requests;
mod support;

// The example's head parser, compiled here as well so that its unit tests and the
// property tests run. (`test = true` on the example would run them too, but then
// `cargo test` would build the example only as a test harness, not the server binary
// the tests start.)
#[path = "../../examples/http_hello/head.rs"]
mod head;
