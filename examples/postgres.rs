//! A PostgreSQL client on evloop: tokio-postgres, written against tokio's io traits,
//! over an evloop stream through tokio-util's `compat` adapter. No tokio runtime runs:
//! the connection is an evloop task like any other.
//!
//! It reads the server from libpq's variables: `PGHOST` (a directory holding the
//! server's Unix socket, or a host name or address for TCP; default
//! `/var/run/postgresql`), `PGPORT` (5432), `PGUSER` (`$USER`), `PGPASSWORD` and
//! `PGDATABASE` (the user's name). With a throwaway server:
//!
//! ```sh
//! scripts/with-postgres.sh cargo run --example postgres                    # Unix socket
//! scripts/with-postgres.sh sh -c 'PGHOST=127.0.0.1 cargo run --example postgres'  # TCP
//! ```

use std::env;
use std::error::Error;
use std::path::Path;

use evloop::net::{TcpStream, UnixStream};
use tokio_postgres::{Client, Config, NoTls};
use tokio_util::compat::FuturesAsyncReadCompatExt;

#[evloop::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let host = env::var("PGHOST").unwrap_or_else(|_| "/var/run/postgresql".into());
    let port: u16 = env::var("PGPORT").map_or(Ok(5432), |port| port.parse())?;
    let user = env::var("PGUSER").or_else(|_| env::var("USER"))?;
    let mut config = Config::new();
    config
        .user(&user)
        .dbname(env::var("PGDATABASE").as_deref().unwrap_or(&user));
    if let Ok(password) = env::var("PGPASSWORD") {
        config.password(password);
    }

    // `connect_raw` logs in over any stream that has tokio's io traits; `compat()`
    // gives an evloop stream those. A path means a Unix socket, as for libpq.
    let client = if host.starts_with('/') {
        let socket = Path::new(&host).join(format!(".s.PGSQL.{port}"));
        let stream = UnixStream::connect(&socket).await?;
        println!("connected over unix socket {}", socket.display());
        login(stream.compat(), &config).await?
    } else {
        let stream = TcpStream::connect((host.as_str(), port)).await?;
        stream.set_nodelay(true)?;
        println!("connected over tcp to {}", stream.peer_addr()?);
        login(stream.compat(), &config).await?
    };

    let version: String = client.query_one("SHOW server_version", &[]).await?.get(0);
    println!("server version {version}");
    client
        .batch_execute("CREATE TEMP TABLE books (title TEXT NOT NULL, pages INT4 NOT NULL)")
        .await?;
    let insert = client
        .prepare("INSERT INTO books (title, pages) VALUES ($1, $2)")
        .await?;
    for (title, pages) in [("Dubliners", 152), ("Ulysses", 732), ("Exiles", 350)] {
        client.execute(&insert, &[&title, &pages]).await?;
    }
    let row = client
        .query_one("SELECT count(*), sum(pages)::INT8 FROM books", &[])
        .await?;
    let (books, pages): (i64, i64) = (row.get(0), row.get(1));
    println!("{books} books, {pages} pages in all");
    Ok(())
}

/// Logs in and runs the connection (which reads and writes the socket for the
/// client) as its own task.
async fn login<S>(stream: S, config: &Config) -> Result<Client, tokio_postgres::Error>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + 'static,
{
    let (client, connection) = config.connect_raw(stream, NoTls).await?;
    evloop::spawn(async move {
        if let Err(error) = connection.await {
            eprintln!("postgres: the connection failed: {error}");
        }
    });
    Ok(client)
}
