//! The examples, run as programs: each test starts an example's binary (built by
//! `cargo test` before the tests run) and talks to it over real sockets on 127.0.0.1.

mod alloc_probe;
mod chat;
mod custom_future;
mod from_tokio;
mod guide;
#[cfg(feature = "hyper")]
mod hyper_client;
#[cfg(feature = "hyper")]
mod hyper_server;
mod kv;
mod kv_hostile;
mod kv_parser_props;
mod line_count;
mod pipeline;
mod support;
mod thread_per_core;
mod timers;
mod tls;
mod tls_echo;
mod trace;

// The TLS examples' certificate helper, for the tests' own rustls clients.
#[allow(dead_code)]
#[path = "../../examples/shared/self_signed.rs"]
mod self_signed;

// The kv example's pure parts, compiled here as well so that their unit tests run.
// (`test = true` on the example would run them too, but then `cargo test` builds the
// example only as a test harness, not the server binary the tests above start.)
// The server's own code is not called here: allow what looks unused from this crate.
// Named as in the example, where `resp.rs` finds it as `crate::number`.
// Named as in the example, where `reply.rs` finds it as `crate::output`.
#[allow(dead_code)]
#[path = "../../examples/kv/reply.rs"]
mod kv_reply;
#[allow(dead_code)]
#[path = "../../examples/kv/resp.rs"]
mod kv_resp;
#[allow(dead_code)]
#[path = "../../examples/kv/store.rs"]
mod kv_store;
#[allow(dead_code)]
#[path = "../../examples/kv/number.rs"]
mod number;
#[allow(dead_code)]
#[path = "../../examples/kv/output.rs"]
mod output;
