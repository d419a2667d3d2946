//! tokio-postgres, a real database client written against tokio's io traits, on
//! evloop's `TcpStream` and `UnixStream` through tokio-util's `compat` adapters, with
//! no tokio runtime, against a real PostgreSQL server.
//!
//! The server comes from `scripts/with-postgres.sh`, which starts a throwaway cluster
//! and describes it in the environment:
//!
//! ```sh
//! scripts/with-postgres.sh cargo test --test postgres
//! ```
//!
//! Without it (`EVLOOP_POSTGRES` unset) every test here says why it skipped, and
//! passes. Tables are `TEMP`: they vanish with the session, even on a server that is
//! not throwaway.

use std::cell::Cell;
use std::io::{self, Write};
use std::path::PathBuf;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

use evloop::io::{AsyncRead, AsyncWrite};
use evloop::net::{TcpStream, UnixStream};
use tokio_postgres::error::SqlState;
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, Config, NoTls};
use tokio_util::compat::FuturesAsyncReadCompatExt;

mod common;

#[path = "examples/support.rs"]
#[allow(dead_code, reason = "only the example-finding part is used here")]
mod support;

/// Bounds each test; the workload takes a second or two.
const LIMIT: Duration = Duration::from_secs(120);
/// Rows inserted in one transaction.
const ROWS: i64 = 10_000;
/// Queries sent at once, before any answer is read.
const PIPELINED: i64 = 100;

/// The server `scripts/with-postgres.sh` started, from the variables it sets.
#[derive(Clone)]
struct Server {
    socket_dir: PathBuf,
    port: u16,
    user: String,
    password: String,
    database: String,
}

impl Server {
    /// The server, or `None` (after saying why) when the tests run without one.
    fn from_env(test: &str) -> Option<Server> {
        if std::env::var_os("EVLOOP_POSTGRES").is_none() {
            // Straight to the process's stderr, past the test harness's capture, so
            // the reason shows in a normal `cargo test` run.
            let _ = writeln!(
                io::stderr(),
                "{test}: skipped, no PostgreSQL server (run `scripts/with-postgres.sh cargo test --test postgres`)"
            );
            return None;
        }
        let var = |name: &str| {
            std::env::var(name)
                .unwrap_or_else(|_| panic!("EVLOOP_POSTGRES is set but {name} is not"))
        };
        Some(Server {
            socket_dir: PathBuf::from(var("PGHOST")),
            port: var("PGPORT").parse().expect("PGPORT is a port number"),
            user: var("PGUSER"),
            password: var("PGPASSWORD"),
            database: var("PGDATABASE"),
        })
    }

    fn config(&self) -> Config {
        let mut config = Config::new();
        config
            .user(&self.user)
            .password(&self.password)
            .dbname(&self.database)
            .application_name("evloop-tests");
        config
    }

    fn socket_path(&self) -> PathBuf {
        self.socket_dir.join(format!(".s.PGSQL.{}", self.port))
    }
}

/// Counts the writes that reach the socket, to tell pipelined queries (sent
/// together) from queries sent one by one.
struct CountingWrites<S> {
    stream: S,
    writes: Rc<Cell<usize>>,
}

impl<S: AsyncRead + Unpin> AsyncRead for CountingWrites<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for CountingWrites<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let poll = Pin::new(&mut self.stream).poll_write(cx, buf);
        if let Poll::Ready(Ok(_)) = poll {
            self.writes.set(self.writes.get() + 1);
        }
        poll
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_close(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_close(cx)
    }
}

/// Logs in over `stream` with tokio-postgres' `connect_raw`, runs the connection as
/// an evloop task, runs the workload, and checks that the connection ends cleanly.
async fn connect_and_run<S>(stream: S, config: Config) -> Result<(), tokio_postgres::Error>
where
    S: AsyncRead + AsyncWrite + Unpin + 'static,
{
    let writes = Rc::new(Cell::new(0));
    let stream = CountingWrites {
        stream,
        writes: writes.clone(),
    };
    let (mut client, connection) = config.connect_raw(stream.compat(), NoTls).await?;
    let connection = evloop::spawn(connection);
    workload(&mut client, &writes).await?;
    drop(client);
    connection
        .await
        .expect("the connection task is not cancelled")
}

/// A table, 10,000 rows inserted in one transaction, and 100 queries pipelined, each
/// result checked.
async fn workload(client: &mut Client, writes: &Cell<usize>) -> Result<(), tokio_postgres::Error> {
    client
        .batch_execute(
            "CREATE TEMP TABLE items (id INT8 PRIMARY KEY, name TEXT NOT NULL, price FLOAT8 NOT NULL)",
        )
        .await?;

    let transaction = client.transaction().await?;
    let insert = transaction
        .prepare("INSERT INTO items (id, name, price) VALUES ($1, $2, $3)")
        .await?;
    for id in 0..ROWS {
        let inserted = transaction
            .execute(&insert, &[&id, &format!("item {id}"), &(id as f64 * 0.25)])
            .await?;
        assert_eq!(inserted, 1);
    }
    transaction.commit().await?;

    let totals = client
        .query_one("SELECT count(*), sum(id)::INT8, sum(price) FROM items", &[])
        .await?;
    assert_eq!(totals.get::<_, i64>(0), ROWS);
    assert_eq!(totals.get::<_, i64>(1), ROWS * (ROWS - 1) / 2);
    assert_eq!(
        totals.get::<_, f64>(2),
        (ROWS * (ROWS - 1) / 2) as f64 * 0.25
    );

    // Every query is sent before any answer is read: the futures are polled together,
    // and the connection task writes all their messages before it reads a reply.
    let select = client
        .prepare("SELECT id, name, price FROM items WHERE id = $1")
        .await?;
    let ids: Vec<i64> = (0..PIPELINED).map(|n| n * 97 % ROWS).collect();
    let params: Vec<&(dyn ToSql + Sync)> = ids.iter().map(|id| id as _).collect();
    let writes_before = writes.get();
    let queries = params
        .iter()
        .map(|param| client.query_one(&select, std::slice::from_ref(param)));
    let rows = futures::future::try_join_all(queries).await?;
    let writes_for_pipeline = writes.get() - writes_before;
    assert!(
        writes_for_pipeline < PIPELINED as usize / 10,
        "{PIPELINED} queries took {writes_for_pipeline} writes: they were not pipelined"
    );
    for (row, &id) in rows.iter().zip(&ids) {
        assert_eq!(row.get::<_, i64>("id"), id);
        assert_eq!(row.get::<_, &str>("name"), format!("item {id}"));
        assert_eq!(row.get::<_, f64>("price"), id as f64 * 0.25);
    }
    Ok(())
}

#[test]
fn tokio_postgres_over_an_evloop_tcp_stream() {
    let Some(server) = Server::from_env("tokio_postgres_over_an_evloop_tcp_stream") else {
        return;
    };
    common::within(LIMIT, move || {
        evloop::block_on(async move {
            let stream = TcpStream::connect(("127.0.0.1", server.port)).await?;
            stream.set_nodelay(true)?;
            // Over TCP the server asks for the password (SCRAM-SHA-256).
            connect_and_run(stream, server.config())
                .await
                .map_err(io::Error::other)
        })
    })
    .unwrap();
}

#[test]
fn tokio_postgres_over_an_evloop_unix_stream() {
    let Some(server) = Server::from_env("tokio_postgres_over_an_evloop_unix_stream") else {
        return;
    };
    common::within(LIMIT, move || {
        evloop::block_on(async move {
            let stream = UnixStream::connect(server.socket_path()).await?;
            connect_and_run(stream, server.config())
                .await
                .map_err(io::Error::other)
        })
    })
    .unwrap();
}

#[test]
fn a_wrong_password_is_an_error_not_a_hang() {
    let Some(server) = Server::from_env("a_wrong_password_is_an_error_not_a_hang") else {
        return;
    };
    common::within(LIMIT, move || {
        evloop::block_on(async move {
            let stream = TcpStream::connect(("127.0.0.1", server.port)).await?;
            let mut config = server.config();
            config.password("not the password");
            let error = config.connect_raw(stream.compat(), NoTls).await.err();
            let error = error.expect("the login is refused");
            assert_eq!(error.code(), Some(&SqlState::INVALID_PASSWORD), "{error:?}");
            io::Result::Ok(())
        })
    })
    .unwrap();
}

/// The `postgres` example, run as a program over each transport, as `PGHOST` says.
#[test]
fn the_postgres_example_runs_over_tcp_and_unix_sockets() {
    let Some(server) = Server::from_env("the_postgres_example_runs_over_tcp_and_unix_sockets")
    else {
        return;
    };
    let example = support::example_path("postgres");
    let socket_dir = server.socket_dir.to_str().unwrap().to_string();
    for (host, transport) in [(socket_dir, "unix socket"), ("127.0.0.1".into(), "tcp")] {
        let example = example.clone();
        let output = common::within(LIMIT, move || {
            std::process::Command::new(&example)
                .env("PGHOST", host)
                .stdin(std::process::Stdio::null())
                .output()
                .expect("run the example")
        });
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{}\n{stdout}{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            stdout.contains(&format!("connected over {transport}")),
            "{stdout}"
        );
        assert!(stdout.contains("3 books, 1234 pages in all"), "{stdout}");
    }
}
