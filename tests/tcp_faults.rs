//! TCP when things go wrong: resets, closed peers, `SIGPIPE`, fd exhaustion, signals
//! during `epoll_wait`, streams dropped while a task waits on them.
//!
//! Every test runs through `isolated`: one at a time, and the process must hold
//! exactly as many fds afterwards as before. Scenarios that change process-wide state
//! (signal dispositions, `RLIMIT_NOFILE`) run in a child process: the test binary
//! re-runs itself with `EVLOOP_CHILD` naming the scenario, and the parent asserts on
//! the child's exit status and its `RESULT key=value` lines.

mod common;

use std::cell::{Cell, RefCell};
use std::future::poll_fn;
use std::io::{self, IoSlice, Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::process::ExitStatusExt;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use common::{
    Signal, child_scenario, describe, is_in_epoll_wait, isolated, open_fds, reported, run_child,
    thread_cpu_time, thread_id, wait_until, yield_until,
};
use evloop::Runtime;
use evloop::io::{AsyncReadExt, AsyncWrite, AsyncWriteExt};
use evloop::net::{TcpListener, TcpStream};

/// Generous bound for one in-process scenario; each takes milliseconds.
const SCENARIO_LIMIT: Duration = Duration::from_secs(30);
/// Bound for a child process, start to exit.
const CHILD_LIMIT: Duration = Duration::from_secs(60);
/// How long a std peer waits for one read before it fails the test.
const PEER_READ_TIMEOUT: Duration = Duration::from_secs(20);

/// A listener on a free port and a stream connected to it, with the accepted side.
async fn connected_pair() -> io::Result<(TcpStream, TcpStream)> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let client = evloop::spawn(async move { TcpStream::connect(addr).await });
    let (server, _) = listener.accept().await?;
    Ok((client.await??, server))
}

/// Makes closing `stream` reset the connection (`SO_LINGER` with a zero timeout),
/// for std peers (std has no stable `set_linger`).
fn reset_on_close(stream: &std::net::TcpStream) {
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: the fd is open (borrowed from `stream`), and `linger` is a valid struct
    // of the size passed, which the kernel only reads.
    let result = unsafe {
        libc::setsockopt(
            stream.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            (&raw const linger).cast(),
            size_of::<libc::linger>() as libc::socklen_t,
        )
    };
    assert_eq!(result, 0, "SO_LINGER: {}", io::Error::last_os_error());
}

fn is_reset_or_broken_pipe(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionReset | io::ErrorKind::BrokenPipe
    )
}

/// Asserts that a plain write and a vectored write (the two send paths) both fail
/// now, and returns the error kinds.
async fn assert_writes_fail(stream: &mut TcpStream) -> String {
    let mut kinds = Vec::new();
    for _ in 0..3 {
        let error = stream.write_all(b"more").await.unwrap_err();
        assert!(is_reset_or_broken_pipe(&error), "{error}");
        kinds.push(error.kind());
    }
    let slices = [IoSlice::new(b"vec"), IoSlice::new(b"tored")];
    let vectored = poll_fn(|cx| Pin::new(&mut *stream).poll_write_vectored(cx, &slices)).await;
    let error = vectored.unwrap_err();
    assert!(is_reset_or_broken_pipe(&error), "{error}");
    kinds.push(error.kind());
    format!("{kinds:?}")
}

/// The peer resets the connection while we write a large payload: `write_all`
/// returns an error. Then a peer that closed gracefully: writing to it fails too.
/// In the child, `SIGPIPE` has its default action (kill the process), which std
/// normally replaces with "ignore": so surviving proves the writes never raise it.
fn write_to_reset_and_closed_peers() {
    const CHUNK: usize = 1 << 20;
    /// The peer reads this much, to be sure the reset comes in the middle of writing.
    const PEER_READS: usize = 64 * 1024;
    /// 1 GiB: far more than any socket buffer; the reset must stop us long before.
    const MAX_CHUNKS: usize = 1024;

    let runtime = Runtime::new().unwrap();
    runtime.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();

        // 1. Reset mid-write.
        let peer = thread::spawn(move || {
            let mut stream = std::net::TcpStream::connect(addr).unwrap();
            stream.set_read_timeout(Some(PEER_READ_TIMEOUT)).unwrap();
            let mut received = vec![0; PEER_READS];
            stream.read_exact(&mut received).unwrap();
            assert!(received.iter().all(|&b| b == 0xab));
            reset_on_close(&stream);
        });
        let (mut stream, _) = listener.accept().await.unwrap();
        let chunk = vec![0xab; CHUNK];
        let mut written = 0;
        let error = loop {
            assert!(written < MAX_CHUNKS, "the reset never reached the writer");
            match stream.write_all(&chunk).await {
                Ok(()) => written += 1,
                Err(error) => break error,
            }
        };
        peer.join().unwrap();
        assert!(is_reset_or_broken_pipe(&error), "{error}");
        let later = assert_writes_fail(&mut stream).await;
        println!("RESULT reset_mid_write=1 chunks_written={written}");
        println!("reset mid-write: {:?}, then {later}", error.kind());

        // 2. Graceful close: the first write may still be accepted (the peer answers
        // it with a reset), the following ones fail with EPIPE.
        let peer = thread::spawn(move || drop(std::net::TcpStream::connect(addr).unwrap()));
        let (mut stream, _) = listener.accept().await.unwrap();
        peer.join().unwrap();
        assert_eq!(
            stream.read(&mut [0; 8]).await.unwrap(),
            0,
            "the peer closed"
        );
        let mut accepted = 0;
        let error = loop {
            assert!(accepted < 100, "writes to a closed peer kept succeeding");
            match stream.write_all(b"anyone there?").await {
                Ok(()) => accepted += 1,
                Err(error) => break error,
            }
        };
        assert!(is_reset_or_broken_pipe(&error), "{error}");
        let later = assert_writes_fail(&mut stream).await;
        println!("RESULT closed_peer=1 writes_accepted={accepted}");
        println!("closed peer: {:?}, then {later}", error.kind());
    });
}

#[test]
#[cfg_attr(miri, ignore = "Miri cannot spawn a child process or use sockets")]
fn writes_to_a_reset_or_closed_peer_fail_and_never_raise_sigpipe() {
    if child_scenario().as_deref() == Some("sigpipe") {
        // SAFETY: restoring the default action of SIGPIPE installs no handler; the
        // child runs this one test, so no other thread depends on the disposition.
        unsafe { libc::signal(libc::SIGPIPE, libc::SIG_DFL) };
        common::within(SCENARIO_LIMIT, write_to_reset_and_closed_peers);
        return;
    }
    let output = isolated(CHILD_LIMIT, || {
        run_child(
            "writes_to_a_reset_or_closed_peer_fail_and_never_raise_sigpipe",
            "sigpipe",
            CHILD_LIMIT,
        )
    });
    assert_ne!(
        output.status.signal(),
        Some(libc::SIGPIPE),
        "a write raised SIGPIPE:\n{}",
        describe(&output)
    );
    assert!(output.status.success(), "{}", describe(&output));
    assert_eq!(reported(&output, "reset_mid_write"), 1);
    assert_eq!(reported(&output, "closed_peer"), 1);
}

#[test]
#[cfg_attr(miri, ignore = "Miri cannot use sockets")]
fn reading_a_reset_connection_is_an_error() {
    isolated(SCENARIO_LIMIT, || {
        evloop::block_on(async {
            // 1. The reset arrives while a task waits in `read`.
            let (client, server) = connected_pair().await.unwrap();
            let client = Rc::new(client);
            let reading = Rc::new(Cell::new(false));
            let reader = evloop::spawn({
                let (client, reading) = (client.clone(), reading.clone());
                async move {
                    reading.set(true);
                    (&*client).read(&mut [0; 64]).await
                }
            });
            // Set in the same poll that tried the read: from here the read waits.
            yield_until(100, "the reader started", || reading.get()).await;
            server.set_linger(Some(Duration::ZERO)).unwrap();
            drop(server);
            let error = reader.await.unwrap().unwrap_err();
            assert_eq!(error.kind(), io::ErrorKind::ConnectionReset, "{error}");
            // The error is reported once; after it the connection reads as ended.
            for _ in 0..3 {
                match (&*client).read(&mut [0; 64]).await {
                    Ok(0) => {}
                    Err(e) if e.kind() == io::ErrorKind::ConnectionReset => {}
                    other => panic!("a reset connection read {other:?}"),
                }
            }
            let error = (&*client).write_all(b"hello?").await.unwrap_err();
            assert!(is_reset_or_broken_pipe(&error), "{error}");

            // 2. The reset arrives before anyone reads.
            let (mut client, server) = connected_pair().await.unwrap();
            server.set_linger(Some(Duration::ZERO)).unwrap();
            drop(server);
            let error = client.read(&mut [0; 64]).await.unwrap_err();
            assert_eq!(error.kind(), io::ErrorKind::ConnectionReset, "{error}");

            // 3. Same while `read_exact` is half way through a message.
            let (mut client, mut server) = connected_pair().await.unwrap();
            server.write_all(b"half a mess").await.unwrap();
            let reader = evloop::spawn(async move {
                let mut message = [0; 22];
                client.read_exact(&mut message).await
            });
            evloop::task::yield_now().await;
            server.set_linger(Some(Duration::ZERO)).unwrap();
            drop(server);
            let error = reader.await.unwrap().unwrap_err();
            assert_eq!(error.kind(), io::ErrorKind::ConnectionReset, "{error}");
        });
    });
}

/// Task A waits in `read` on a stream it owns; aborting A drops (deregisters and
/// closes) the stream; the peer then writes and closes; nothing panics and the
/// runtime goes on serving another connection.
#[test]
#[cfg_attr(miri, ignore = "Miri cannot use sockets")]
fn stream_dropped_while_its_task_waits_to_read() {
    isolated(SCENARIO_LIMIT, || {
        evloop::block_on(async {
            let (mut client, server) = connected_pair().await.unwrap();
            let reading = Rc::new(Cell::new(false));
            let task_a = evloop::spawn({
                let reading = reading.clone();
                async move {
                    let mut server = server;
                    reading.set(true);
                    server.read(&mut [0; 64]).await
                }
            });
            yield_until(100, "task A started reading", || reading.get()).await;
            task_a.abort();
            assert!(task_a.await.unwrap_err().is_cancelled());
            // The stream went with the task: the peer sees end of stream.
            assert_eq!(client.read(&mut [0; 8]).await.unwrap(), 0);
            // Data for a closed socket: the kernel answers with a reset; whatever this
            // write says, the runtime must not care about the dropped stream any more.
            let _ = client.write_all(b"too late").await;
            drop(client);

            // The next connection may reuse the fd number and the reactor slot.
            let (mut client, mut server) = connected_pair().await.unwrap();
            let echo = evloop::spawn(async move {
                let mut buf = [0; 5];
                server.read_exact(&mut buf).await?;
                server.write_all(&buf).await?;
                io::Result::Ok(())
            });
            client.write_all(b"still").await.unwrap();
            let mut reply = [0; 5];
            client.read_exact(&mut reply).await.unwrap();
            assert_eq!(&reply, b"still");
            echo.await.unwrap().unwrap();
        });
    });
}

/// A task keeps writing until the send buffer is full and it waits in `writable()`;
/// aborting it closes the stream after the queued data: the peer reads all of it,
/// then end of stream.
#[test]
#[cfg_attr(miri, ignore = "Miri cannot use sockets")]
fn stream_dropped_while_its_task_waits_to_write() {
    /// Bounds the writer's loop: about 4 GiB, far beyond any socket buffer.
    const MAX_WRITES: usize = 65_536;
    isolated(SCENARIO_LIMIT, || {
        evloop::block_on(async {
            let (mut client, server) = connected_pair().await.unwrap();
            let written = Rc::new(Cell::new(0usize));
            let blocked = Rc::new(Cell::new(false));
            let writer = evloop::spawn({
                let (written, blocked) = (written.clone(), blocked.clone());
                async move {
                    let chunk = [0x5a; 64 * 1024];
                    for _ in 0..MAX_WRITES {
                        match server.try_write(&chunk) {
                            Ok(n) => written.set(written.get() + n),
                            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                                blocked.set(true);
                                server.writable().await?;
                            }
                            Err(e) => return Err(e),
                        }
                    }
                    io::Result::<()>::Err(io::Error::other("the send buffer never filled up"))
                }
            });
            yield_until(1000, "the send buffer filled up", || blocked.get()).await;
            writer.abort();
            assert!(writer.await.unwrap_err().is_cancelled());
            let mut received = Vec::new();
            client.read_to_end(&mut received).await.unwrap();
            assert_eq!(received.len(), written.get());
            assert!(received.iter().all(|&b| b == 0x5a));
        });
    });
}

/// Two tasks wait for the same stream to become readable; one is aborted (its waker
/// stays in the stream's waiter list); data arrives: the other one is woken.
#[test]
#[cfg_attr(miri, ignore = "Miri cannot use sockets")]
fn aborting_one_of_two_waiters_leaves_the_other_woken() {
    isolated(SCENARIO_LIMIT, || {
        evloop::block_on(async {
            let (mut client, server) = connected_pair().await.unwrap();
            let server = Rc::new(server);
            // Make readiness false, so both tasks really wait.
            let error = server.try_read(&mut [0; 8]).unwrap_err();
            assert_eq!(error.kind(), io::ErrorKind::WouldBlock);
            let waiting = Rc::new(Cell::new(0));
            let waiter = |server: Rc<TcpStream>, waiting: Rc<Cell<i32>>| async move {
                waiting.set(waiting.get() + 1);
                server.readable().await
            };
            let doomed = evloop::spawn(waiter(server.clone(), waiting.clone()));
            let survivor = evloop::spawn(waiter(server.clone(), waiting.clone()));
            yield_until(100, "both tasks wait", || waiting.get() == 2).await;
            doomed.abort();
            assert!(doomed.await.unwrap_err().is_cancelled());
            client.write_all(b"ping").await.unwrap();
            survivor.await.unwrap().unwrap();
            let mut buf = [0; 4];
            (&*server).read_exact(&mut buf).await.unwrap();
            assert_eq!(&buf, b"ping");
        });
    });
}

/// Dropping the runtime while tasks wait on their streams closes every one of them:
/// the std peers read end of stream, and `isolated` checks that no fd is left.
#[test]
#[cfg_attr(miri, ignore = "Miri cannot use sockets")]
fn dropping_the_runtime_closes_the_streams_tasks_wait_on() {
    const PEERS: usize = 8;
    isolated(SCENARIO_LIMIT, || {
        let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = std_listener.local_addr().unwrap();
        let peers: Vec<_> = (0..PEERS)
            .map(|_| {
                let mut stream = std::net::TcpStream::connect(addr).unwrap();
                stream.set_read_timeout(Some(PEER_READ_TIMEOUT)).unwrap();
                thread::spawn(move || stream.read(&mut [0; 8]).unwrap())
            })
            .collect();
        let runtime = Runtime::new().unwrap();
        runtime.block_on(async {
            let listener = TcpListener::from_std(std_listener).unwrap();
            let waiting = Rc::new(Cell::new(0));
            for _ in 0..PEERS {
                let (mut stream, _) = listener.accept().await.unwrap();
                let waiting = waiting.clone();
                drop(evloop::spawn(async move {
                    waiting.set(waiting.get() + 1);
                    stream.read(&mut [0; 8]).await
                }));
            }
            yield_until(100, "every task waits", || waiting.get() == PEERS).await;
        });
        drop(runtime);
        for peer in peers {
            assert_eq!(peer.join().unwrap(), 0, "the peer reads end of stream");
        }
    });
}

/// The handler for the EINTR test: it only counts, which is async-signal-safe.
static SIGNALS_HANDLED: AtomicUsize = AtomicUsize::new(0);

extern "C" fn count_signal(_: libc::c_int) {
    SIGNALS_HANDLED.fetch_add(1, Ordering::SeqCst);
}

/// Installs `count_signal` for SIGUSR1, without `SA_RESTART`: an interrupted
/// `epoll_wait` returns `EINTR` (it never restarts anyway).
fn install_sigusr1_handler() {
    // SAFETY: all-zero bytes are a valid sigaction (empty mask, no flags).
    let mut action: libc::sigaction = unsafe { std::mem::zeroed() };
    action.sa_sigaction = count_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
    // SAFETY: `action` is a valid sigaction whose handler only touches an atomic;
    // the old action is not asked for (null).
    let result = unsafe { libc::sigaction(libc::SIGUSR1, &action, std::ptr::null_mut()) };
    assert_eq!(result, 0, "sigaction: {}", io::Error::last_os_error());
}

/// The runtime thread is parked in `epoll_wait` for a read; it is sent SIGUSR1 several
/// times; each time the handler runs and the loop goes back to waiting; then data
/// arrives and the read completes normally.
fn signals_during_epoll_wait() {
    const SIGNALS: usize = 5;
    install_sigusr1_handler();
    let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = std_listener.local_addr().unwrap();
    let (tid_tx, tid_rx) = mpsc::channel();
    let read_done = Arc::new(AtomicU32::new(0));
    let peer = thread::spawn({
        let read_done = read_done.clone();
        move || {
            let loop_tid: libc::pid_t = tid_rx.recv().unwrap();
            let mut stream = std::net::TcpStream::connect(addr).unwrap();
            for sent in 1..=SIGNALS {
                wait_until(Duration::from_secs(10), "the loop parks", || {
                    is_in_epoll_wait(loop_tid)
                });
                // SAFETY: tgkill takes no pointers; `loop_tid` is a live thread of
                // this process (it is parked), and SIGUSR1 has a handler.
                let result = unsafe {
                    libc::syscall(libc::SYS_tgkill, libc::getpid(), loop_tid, libc::SIGUSR1)
                };
                assert_eq!(result, 0, "tgkill: {}", io::Error::last_os_error());
                wait_until(Duration::from_secs(10), "the handler runs", || {
                    SIGNALS_HANDLED.load(Ordering::SeqCst) >= sent
                });
            }
            // Back in epoll_wait after the last signal, and still waiting for data.
            wait_until(Duration::from_secs(10), "the loop parks again", || {
                is_in_epoll_wait(loop_tid)
            });
            assert_eq!(read_done.load(Ordering::SeqCst), 0, "the read ended early");
            stream.write_all(b"after the signals").unwrap();
        }
    });
    let received = evloop::block_on(async {
        let listener = TcpListener::from_std(std_listener).unwrap();
        tid_tx.send(thread_id()).unwrap();
        let (mut stream, _) = listener.accept().await.unwrap();
        let mut buf = [0; 17];
        stream.read_exact(&mut buf).await.unwrap();
        read_done.store(1, Ordering::SeqCst);
        buf
    });
    peer.join().unwrap();
    assert_eq!(&received, b"after the signals");
    let handled = SIGNALS_HANDLED.load(Ordering::SeqCst);
    assert_eq!(handled, SIGNALS);
    println!("RESULT signals_handled={handled} read_ok=1");
}

#[test]
#[cfg_attr(miri, ignore = "Miri cannot spawn a child process or send signals")]
fn signals_during_epoll_wait_are_retried() {
    if child_scenario().as_deref() == Some("eintr") {
        common::within(SCENARIO_LIMIT, signals_during_epoll_wait);
        return;
    }
    let output = isolated(CHILD_LIMIT, || {
        run_child(
            "signals_during_epoll_wait_are_retried",
            "eintr",
            CHILD_LIMIT,
        )
    });
    assert!(output.status.success(), "{}", describe(&output));
    assert_eq!(reported(&output, "signals_handled"), 5);
    assert_eq!(reported(&output, "read_ok"), 1);
}

/// A timer's sleep while SIGUSR1 hits the parked loop every few milliseconds, more
/// often than the timer's whole duration: each interrupted wait is retried, and the
/// retries must wait only for what is left of the timeout, or the timer would be
/// held back for as long as the signals keep coming.
fn signals_during_a_timed_wait() {
    const SLEEP: Duration = Duration::from_millis(100);
    const SIGNAL_EVERY: Duration = Duration::from_millis(10);
    /// The signals stop after this long at the latest.
    const SIGNALS_FOR: Duration = Duration::from_secs(3);
    /// The sleep may end a little late, but not once the signals stop.
    const SLEEP_LIMIT: Duration = Duration::from_secs(1);
    install_sigusr1_handler();
    let (tid_tx, tid_rx) = mpsc::channel();
    let done = Arc::new(AtomicU32::new(0));
    let signaller = thread::spawn({
        let done = done.clone();
        move || {
            let loop_tid: libc::pid_t = tid_rx.recv().unwrap();
            let started = Instant::now();
            let mut sent = 0;
            while done.load(Ordering::SeqCst) == 0 && started.elapsed() < SIGNALS_FOR {
                // SAFETY: tgkill takes no pointers; `loop_tid` is a live thread of
                // this process (it has not finished: `done` is not set), and SIGUSR1
                // has a handler.
                let result = unsafe {
                    libc::syscall(libc::SYS_tgkill, libc::getpid(), loop_tid, libc::SIGUSR1)
                };
                assert_eq!(result, 0, "tgkill: {}", io::Error::last_os_error());
                sent += 1;
                // The scenario itself: the pace of the signals.
                thread::sleep(SIGNAL_EVERY);
            }
            sent
        }
    });
    let (slept, handled) = evloop::block_on(async {
        tid_tx.send(thread_id()).unwrap();
        let handled_before = SIGNALS_HANDLED.load(Ordering::SeqCst);
        let started = Instant::now();
        evloop::time::sleep(SLEEP).await;
        let slept = started.elapsed();
        done.store(1, Ordering::SeqCst);
        (
            slept,
            SIGNALS_HANDLED.load(Ordering::SeqCst) - handled_before,
        )
    });
    let sent = signaller.join().unwrap();
    println!(
        "RESULT timed_sleep_ms={} signals_during_sleep={handled} signals_sent={sent}",
        slept.as_millis()
    );
    assert!(slept >= SLEEP);
    assert!(
        slept < SLEEP_LIMIT,
        "a {SLEEP:?} sleep took {slept:?} under a signal every {SIGNAL_EVERY:?}"
    );
}

#[test]
#[cfg_attr(miri, ignore = "Miri cannot spawn a child process or send signals")]
fn signals_during_a_timed_wait_do_not_hold_back_the_timer() {
    if child_scenario().as_deref() == Some("eintr-timer") {
        common::within(SCENARIO_LIMIT, signals_during_a_timed_wait);
        return;
    }
    let output = isolated(CHILD_LIMIT, || {
        run_child(
            "signals_during_a_timed_wait_do_not_hold_back_the_timer",
            "eintr-timer",
            CHILD_LIMIT,
        )
    });
    assert!(output.status.success(), "{}", describe(&output));
    // The signals really came while the loop waited for the timer.
    assert!(
        reported(&output, "signals_during_sleep") >= 3,
        "{}",
        describe(&output)
    );
}

// ---- accept under fd exhaustion ----

/// Connections the server accepts (and holds) before it runs out of fds.
const HELD: usize = 3;
/// Clients connected before the limit drops that the server cannot accept yet.
const QUEUED: usize = 4;
/// Clients that connect while the server is starved.
const LATE: usize = 3;
/// How long the server stays starved while its CPU time is measured.
const STARVED_WINDOW: Duration = Duration::from_millis(300);
/// The most CPU the runtime thread may use in that window: a loop that retried
/// `accept` would use all of it.
const STARVED_CPU_LIMIT: Duration = Duration::from_millis(30);
/// Stops a spinning accept loop, so the bug shows up as a failure, not a hang.
const MAX_EMFILE_ERRORS: u32 = 10_000;

/// How a client's connection ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ClientOutcome {
    /// The server echoed the request.
    Echoed,
    /// The server closed the connection without answering.
    Closed,
}

/// One client: sends its 4-byte id, waits for the echo or the end of the connection.
fn client_exchange(mut stream: std::net::TcpStream, id: u32) -> ClientOutcome {
    stream.set_read_timeout(Some(PEER_READ_TIMEOUT)).unwrap();
    stream.write_all(&id.to_le_bytes()).unwrap();
    let mut reply = [0; 4];
    match stream.read(&mut reply) {
        Ok(0) => ClientOutcome::Closed,
        Err(e) if e.kind() == io::ErrorKind::ConnectionReset => ClientOutcome::Closed,
        Ok(n) => {
            stream.read_exact(&mut reply[n..]).unwrap();
            assert_eq!(
                u32::from_le_bytes(reply),
                id,
                "client {id} got another's echo"
            );
            ClientOutcome::Echoed
        }
        Err(e) => panic!("client {id}: {e}"),
    }
}

/// What the server's tasks share.
#[derive(Default)]
struct ServerState {
    /// Accepted before the release: held open, unanswered, to keep the fds in use.
    held: RefCell<Vec<TcpStream>>,
    released: Cell<bool>,
    /// Also read by the thread that paces the late clients.
    emfile_errors: Arc<AtomicU32>,
    /// Fires on the first `EMFILE`.
    starved: Signal,
}

/// Accepts `total` connections. Before the release it holds them; after, each one
/// gets an echo task. Returns the echo tasks.
async fn accept_all(
    listener: TcpListener,
    state: Rc<ServerState>,
    total: usize,
) -> Vec<evloop::task::JoinHandle<io::Result<()>>> {
    let mut echoes = Vec::new();
    let mut accepted = 0;
    while accepted < total {
        match listener.accept().await {
            Ok((stream, _)) => {
                accepted += 1;
                if state.released.get() {
                    echoes.push(evloop::spawn(echo_once(stream)));
                } else {
                    state.held.borrow_mut().push(stream);
                }
            }
            Err(error) if error.raw_os_error() == Some(libc::EMFILE) => {
                let errors = state.emfile_errors.fetch_add(1, Ordering::SeqCst) + 1;
                assert!(errors < MAX_EMFILE_ERRORS, "accept spins on EMFILE");
                state.starved.set();
            }
            Err(error) => panic!("accept: {error}"),
        }
    }
    echoes
}

/// Echoes one 4-byte request, then waits for the client to close.
async fn echo_once(mut stream: TcpStream) -> io::Result<()> {
    let mut request = [0; 4];
    stream.read_exact(&mut request).await?;
    stream.write_all(&request).await?;
    assert_eq!(stream.read(&mut [0; 4]).await?, 0, "one request per client");
    Ok(())
}

/// Fills every hole below the highest open fd (with /dev/null), so that the fds
/// opened from now on are numbered one after another.
fn fill_fd_holes() -> Vec<std::fs::File> {
    let top = open_fds().into_iter().max().unwrap();
    let mut padding = Vec::new();
    for _ in 0..=top {
        let file = std::fs::File::open("/dev/null").unwrap();
        if file.as_raw_fd() > top {
            return padding;
        }
        padding.push(file);
    }
    unreachable!("there are at most `top` holes below `top`")
}

/// The server runs out of fds with clients still queued, and more clients connect
/// while it is starved: its loop must not spin. Then it closes the connections it
/// holds, and must go on to serve every queued client.
fn accept_under_fd_exhaustion() {
    let _padding = fill_fd_holes();
    let runtime = Runtime::new().unwrap();
    let listener = runtime.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
    let addr = listener.local_addr().unwrap();

    // Early clients: connected now (the kernel completes the handshake; they wait in
    // the listen backlog) and sending their request at once.
    let mut clients = Vec::new();
    for id in 0..(HELD + QUEUED) as u32 {
        let stream = std::net::TcpStream::connect(addr).unwrap();
        clients.push(thread::spawn(move || client_exchange(stream, id)));
    }
    // Late clients: each gets its fd by closing a reserved one right before its
    // `socket()` takes that same number (the lowest free one).
    let state = Rc::new(ServerState::default());
    let (connected_tx, connected_rx) = mpsc::channel();
    let mut late_go = Vec::new();
    for id in (HELD + QUEUED) as u32..(HELD + QUEUED + LATE) as u32 {
        let reserved = std::fs::File::open("/dev/null").unwrap();
        let (go_tx, go_rx) = mpsc::channel::<()>();
        let connected_tx = connected_tx.clone();
        late_go.push(go_tx);
        clients.push(thread::spawn(move || {
            go_rx.recv().unwrap();
            drop(reserved);
            let stream = std::net::TcpStream::connect(addr).unwrap();
            connected_tx.send(()).unwrap();
            client_exchange(stream, id)
        }));
    }
    // The window's pacer: lets late clients connect one by one while wall time passes.
    let window_over = Signal::default();
    let (start_tx, start_rx) = mpsc::channel::<()>();
    let pacer = thread::spawn({
        let window_over = window_over.clone();
        let emfile_errors = state.emfile_errors.clone();
        move || {
            start_rx.recv().unwrap();
            let started = Instant::now();
            for go in late_go {
                // The scenario itself: the server stays starved this long.
                thread::sleep(STARVED_WINDOW / (LATE as u32 + 1));
                let errors_before = emfile_errors.load(Ordering::SeqCst);
                go.send(()).unwrap();
                connected_rx.recv_timeout(PEER_READ_TIMEOUT).unwrap();
                // The new connection woke the listener, which tried once more and
                // parked again (before the next client frees a reserved fd).
                wait_until(Duration::from_secs(10), "the listener retries", || {
                    emfile_errors.load(Ordering::SeqCst) > errors_before
                });
            }
            thread::sleep(STARVED_WINDOW.saturating_sub(started.elapsed()));
            window_over.set();
        }
    });

    // Leave exactly HELD free fd numbers below the limit.
    let open = open_fds();
    let free_below =
        |limit: usize| limit - open.iter().filter(|&&fd| (fd as usize) < limit).count();
    let mut limit = 0;
    while free_below(limit) < HELD {
        limit += 1;
    }
    common::set_fd_limit(libc::rlimit {
        rlim_cur: limit as libc::rlim_t,
        rlim_max: common::fd_limit().rlim_max,
    });

    let total = HELD + QUEUED + LATE;
    let (held, starved_cpu, emfile_in_window) = runtime.block_on(async {
        let acceptor = evloop::spawn(accept_all(listener, state.clone(), total));
        state.starved.wait().await;
        let held = state.held.borrow().len();
        let errors_before = state.emfile_errors.load(Ordering::SeqCst);
        let cpu_before = thread_cpu_time();
        start_tx.send(()).unwrap();
        window_over.wait().await;
        let starved_cpu = thread_cpu_time() - cpu_before;
        let emfile_in_window = state.emfile_errors.load(Ordering::SeqCst) - errors_before;
        // Free the fds: the queued clients must now be served.
        state.released.set(true);
        state.held.borrow_mut().clear();
        for echo in acceptor.await.unwrap() {
            echo.await.unwrap().unwrap();
        }
        (held, starved_cpu, emfile_in_window)
    });
    pacer.join().unwrap();
    let outcomes: Vec<ClientOutcome> = clients.into_iter().map(|c| c.join().unwrap()).collect();
    let echoed = outcomes
        .iter()
        .filter(|&&o| o == ClientOutcome::Echoed)
        .count();
    let closed = outcomes.len() - echoed;
    println!(
        "RESULT held={held} starved_cpu_us={} emfile_in_window={emfile_in_window} \
         emfile_errors={} echoed={echoed} closed={closed}",
        starved_cpu.as_micros(),
        state.emfile_errors.load(Ordering::SeqCst),
    );
}

#[test]
#[cfg_attr(miri, ignore = "Miri cannot spawn a child process or use sockets")]
fn accept_under_fd_exhaustion_does_not_spin_and_recovers() {
    if child_scenario().as_deref() == Some("emfile") {
        common::within(SCENARIO_LIMIT, accept_under_fd_exhaustion);
        return;
    }
    let output = isolated(CHILD_LIMIT, || {
        run_child(
            "accept_under_fd_exhaustion_does_not_spin_and_recovers",
            "emfile",
            CHILD_LIMIT,
        )
    });
    assert!(output.status.success(), "{}", describe(&output));
    let context = describe(&output);
    assert_eq!(reported(&output, "held"), HELD as u64, "{context}");
    let cpu = Duration::from_micros(reported(&output, "starved_cpu_us"));
    assert!(
        cpu < STARVED_CPU_LIMIT,
        "the starved loop burnt {cpu:?} in {STARVED_WINDOW:?}:\n{context}"
    );
    // One retry per late connection (each is an epoll edge), plus at most one for
    // the edge the early clients' connections left queued before the window began.
    let retries = reported(&output, "emfile_in_window");
    assert!(
        (LATE as u64..=LATE as u64 + 1).contains(&retries),
        "{retries} accept retries while starved:\n{context}"
    );
    assert!(reported(&output, "emfile_errors") < 100, "{context}");
    assert_eq!(
        reported(&output, "echoed"),
        (QUEUED + LATE) as u64,
        "{context}"
    );
    assert_eq!(reported(&output, "closed"), HELD as u64, "{context}");
}
