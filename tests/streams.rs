//! Every "many values over time" type is a `futures_core::Stream`, so the `futures`
//! combinators (`StreamExt`, `TryStreamExt`) work on it: intervals, directory
//! listings, join sets, listeners' connections and signals.

use std::collections::BTreeSet;
use std::io;
use std::time::Duration;

use evloop::Runtime;
use evloop::io::{AsyncReadExt, AsyncWriteExt};
use evloop::net::{TcpListener, TcpStream};
use evloop::signal::unix::{SignalKind, signal};
use evloop::task::JoinSet;
use evloop::time::{self, Instant, MissedTickBehavior};
use futures::{StreamExt, TryStreamExt};

mod common;

const LIMIT: Duration = Duration::from_secs(20);

#[test]
fn an_interval_streams_its_ticks_on_schedule() {
    let runtime = Runtime::builder().start_paused(true).build().unwrap();
    runtime.block_on(async {
        let start = Instant::now();
        let period = Duration::from_millis(250);
        let mut ticks = time::interval(period);
        ticks.set_missed_tick_behavior(MissedTickBehavior::Skip);
        let first: Vec<Instant> = (&mut ticks).take(4).collect().await;
        let expected: Vec<Instant> = (0..4).map(|n| start + period * n).collect();
        assert_eq!(first, expected);
        // The stream is the interval: a missed tick follows the interval's behaviour.
        time::advance(Duration::from_millis(600)).await;
        assert_eq!(ticks.next().await, Some(start + period * 4));
        assert_eq!(
            ticks.next().await,
            Some(start + period * 6),
            "1250 ms skipped"
        );
    });
}

#[test]
fn a_directory_listing_streams_every_entry_once() {
    common::within(LIMIT, || {
        evloop::block_on(async {
            let dir = std::env::temp_dir().join(format!("evloop-streams-{}", std::process::id()));
            evloop::fs::create_dir_all(&dir).await?;
            // More entries than one pool job reads, so the stream crosses batches.
            let names: BTreeSet<String> = (0..300).map(|n| format!("entry-{n:03}")).collect();
            for name in &names {
                evloop::fs::write(dir.join(name), name).await?;
            }
            let listed: BTreeSet<String> = evloop::fs::read_dir(&dir)
                .await?
                .map_ok(|entry| entry.file_name().into_string().unwrap())
                .try_collect()
                .await?;
            assert_eq!(listed, names);
            evloop::fs::remove_dir_all(&dir).await
        })
    })
    .unwrap();
}

#[test]
fn a_join_set_streams_results_as_tasks_finish() {
    let runtime = Runtime::builder().start_paused(true).build().unwrap();
    runtime.block_on(async {
        let mut set = JoinSet::new();
        for delay in [30u64, 10, 20] {
            set.spawn(async move {
                time::sleep(Duration::from_millis(delay)).await;
                delay
            });
        }
        set.spawn(async { panic!("a task that fails") });
        assert_eq!(futures::Stream::size_hint(&set), (4, None));
        let (finished, failed): (Vec<_>, Vec<_>) = (&mut set)
            .collect::<Vec<_>>()
            .await
            .into_iter()
            .partition(Result::is_ok);
        let finished: Vec<u64> = finished.into_iter().map(Result::unwrap).collect();
        assert_eq!(finished, [10, 20, 30], "in the order they finish");
        assert!(failed[0].as_ref().unwrap_err().is_panic());
        assert_eq!(set.next().await.map(|_| ()), None, "empty: the stream ends");
        set.spawn(async { 40 });
        assert_eq!(
            set.next().await.unwrap().unwrap(),
            40,
            "and goes on when refilled"
        );
    });
}

#[test]
fn a_listener_streams_its_connections() {
    common::within(LIMIT, || {
        evloop::block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await?;
            let addr = listener.local_addr()?;
            let clients = evloop::spawn(async move {
                for n in 0..5u8 {
                    let mut stream = TcpStream::connect(addr).await?;
                    stream.write_all(&[n]).await?;
                }
                io::Result::Ok(())
            });
            let bytes: Vec<u8> = listener
                .incoming()
                .take(5)
                .and_then(|mut stream| async move {
                    let mut byte = [0];
                    stream.read_exact(&mut byte).await?;
                    Ok(byte[0])
                })
                .try_collect()
                .await?;
            assert_eq!(bytes, [0, 1, 2, 3, 4]);
            clients.await.unwrap()
        })
    })
    .unwrap();
}

#[test]
fn a_signal_listener_streams_deliveries() {
    common::within(LIMIT, || {
        evloop::block_on(async {
            let mut hangups = signal(SignalKind::hangup())?;
            // SAFETY: kill has no memory-safety preconditions; the listener above
            // installed a handler, so SIGHUP's default action does not run.
            assert_eq!(unsafe { libc::kill(libc::getpid(), libc::SIGHUP) }, 0);
            assert_eq!(hangups.next().await, Some(()));
            io::Result::Ok(())
        })
    })
    .unwrap();
}
