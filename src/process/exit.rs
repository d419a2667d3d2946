//! How a child's exit reaches its task: a pidfd on the reactor, or `SIGCHLD`.

use std::fmt;
use std::io;
use std::os::fd::OwnedFd;
use std::process::{self, ExitStatus};
use std::task::{Context, Poll};

use crate::io::Async;
use crate::reactor::Direction;
use crate::signal::unix::{Signal, SignalKind, signal};
use crate::sys;

/// A child's exit status, once it is known, and the means to learn it.
pub(crate) struct Exit {
    state: State,
}

enum State {
    /// Not yet reaped: `child` still holds the pid, so the number cannot be reused.
    Running { child: process::Child, watch: Watch },
    /// Reaped; the pid may already belong to someone else.
    Exited(ExitStatus),
}

/// What wakes the task waiting for the exit.
enum Watch {
    /// Readable once the child has exited (Linux 5.3 and later).
    Pidfd(Async<OwnedFd>),
    /// Any child's exit or stop: on a delivery, ask this child with `waitid(WNOHANG)`.
    ChildSignal(Signal),
}

impl Exit {
    /// Watches `child` through a pidfd, or through `SIGCHLD` on a kernel without
    /// `pidfd_open`. Must be called inside a runtime.
    ///
    /// On error the child is handed back, for the caller to kill and reap.
    pub(crate) fn new(child: process::Child) -> Result<Exit, (process::Child, io::Error)> {
        match sys::process::pidfd_open(child.id()) {
            Ok(pidfd) => match Async::new_nonblocking(pidfd) {
                Ok(pidfd) => Ok(Exit::running(child, Watch::Pidfd(pidfd))),
                Err(error) => Err((child, error)),
            },
            // ENOSYS: a kernel older than 5.3. EPERM: a seccomp filter (older container
            // runtimes) that answers so for every system call it does not know.
            Err(error) if matches!(error.raw_os_error(), Some(libc::ENOSYS | libc::EPERM)) => {
                Exit::with_child_signal(child)
            }
            Err(error) => Err((child, error)),
        }
    }

    /// Watches `child` through `SIGCHLD`: the fallback, and what tests force.
    pub(crate) fn with_child_signal(
        child: process::Child,
    ) -> Result<Exit, (process::Child, io::Error)> {
        match signal(SignalKind::child()) {
            Ok(deliveries) => Ok(Exit::running(child, Watch::ChildSignal(deliveries))),
            Err(error) => Err((child, error)),
        }
    }

    fn running(child: process::Child, watch: Watch) -> Exit {
        Exit {
            state: State::Running { child, watch },
        }
    }

    /// The pid, until the child is reaped.
    pub(crate) fn id(&self) -> Option<u32> {
        match &self.state {
            State::Running { child, .. } => Some(child.id()),
            State::Exited(_) => None,
        }
    }

    /// Whether the pidfd (rather than `SIGCHLD`) tells of the exit.
    #[cfg(test)]
    pub(crate) fn uses_pidfd(&self) -> bool {
        matches!(
            self.state,
            State::Running {
                watch: Watch::Pidfd(_),
                ..
            }
        )
    }

    /// Sends `SIGKILL`, unless the child is already reaped.
    pub(crate) fn start_kill(&mut self) -> io::Result<()> {
        match &mut self.state {
            State::Running { child, .. } => child.kill(),
            State::Exited(_) => Ok(()),
        }
    }

    /// The exit status if the child has exited (reaping it), without waiting.
    pub(crate) fn try_wait(&mut self) -> io::Result<Option<ExitStatus>> {
        match &mut self.state {
            State::Running { child, .. } => match child.try_wait()? {
                Some(status) => Ok(Some(self.exited(status))),
                None => Ok(None),
            },
            State::Exited(status) => Ok(Some(*status)),
        }
    }

    /// Waits for the exit and reaps the child.
    pub(crate) fn poll_wait(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<ExitStatus>> {
        if let State::Exited(status) = self.state {
            return Poll::Ready(Ok(status));
        }
        let State::Running { child, watch } = &mut self.state else {
            unreachable!("the state is one of two")
        };
        let status = match watch {
            Watch::Pidfd(pidfd) => loop {
                // Ready first: after the first look, `waitid` is asked only once the
                // kernel said "exited". (A new source starts out ready, so the first
                // poll asks once anyway: one `waitid` that finds the child running.)
                match pidfd.poll_readable(cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(Err(error)) => return Poll::Ready(Err(error)),
                    Poll::Ready(Ok(())) => {}
                }
                match child.try_wait() {
                    Ok(Some(status)) => break status,
                    // A pidfd is readable only after the exit; be safe all the same.
                    Ok(None) => pidfd.clear_ready(Direction::Read),
                    Err(error) => return Poll::Ready(Err(error)),
                }
            },
            Watch::ChildSignal(deliveries) => loop {
                // Ask first: the child may have exited before the handler was set up,
                // and a delivery after this question is an item of `poll_recv`.
                match child.try_wait() {
                    Ok(Some(status)) => break status,
                    Ok(None) => {}
                    Err(error) => return Poll::Ready(Err(error)),
                }
                if deliveries.poll_recv(cx).is_pending() {
                    return Poll::Pending;
                }
            },
        };
        Poll::Ready(Ok(self.exited(status)))
    }

    /// Records the status; the watch (and its fd) goes with the running state.
    fn exited(&mut self, status: ExitStatus) -> ExitStatus {
        self.state = State::Exited(status);
        status
    }

    /// The child, if it is not yet reaped: for whoever takes over reaping it.
    pub(crate) fn into_unreaped(self) -> Option<process::Child> {
        match self.state {
            State::Running { child, .. } => Some(child),
            State::Exited(_) => None,
        }
    }
}

impl fmt::Debug for Exit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.state {
            State::Running { child, watch } => f
                .debug_struct("Running")
                .field("pid", &child.id())
                .field(
                    "watch",
                    &match watch {
                        Watch::Pidfd(_) => "pidfd",
                        Watch::ChildSignal(_) => "SIGCHLD",
                    },
                )
                .finish(),
            State::Exited(status) => f.debug_tuple("Exited").field(status).finish(),
        }
    }
}

#[cfg(all(test, not(miri)))]
mod tests {
    use std::process::{Command, Stdio};

    use super::*;

    fn wait(exit: &mut Exit) -> io::Result<ExitStatus> {
        crate::block_on(std::future::poll_fn(|cx| exit.poll_wait(cx)))
    }

    #[test]
    fn this_kernel_has_pidfds_and_they_see_the_exit() {
        crate::block_on(async {
            let child = Command::new("sh").args(["-c", "exit 4"]).spawn().unwrap();
            let mut exit = Exit::new(child).map_err(|(_, error)| error).unwrap();
            assert!(exit.uses_pidfd());
            let status = std::future::poll_fn(|cx| exit.poll_wait(cx)).await.unwrap();
            assert_eq!(status.code(), Some(4));
            assert_eq!(exit.id(), None);
            assert_eq!(exit.try_wait().unwrap(), Some(status));
        });
    }

    #[test]
    fn the_sigchld_fallback_sees_exits_before_and_after_the_first_poll() {
        crate::block_on(async {
            // Exits at once, likely before the first poll asks.
            let quick = Command::new("true").spawn().unwrap();
            // Exits when its stdin closes: well after the first poll has parked.
            let mut reader = Command::new("cat")
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .spawn()
                .unwrap();
            let stdin = reader.stdin.take().unwrap();
            let mut quick = Exit::with_child_signal(quick)
                .map_err(|(_, error)| error)
                .unwrap();
            let mut reader = Exit::with_child_signal(reader)
                .map_err(|(_, error)| error)
                .unwrap();
            assert!(!reader.uses_pidfd());
            let waiting =
                crate::spawn(async move { std::future::poll_fn(|cx| reader.poll_wait(cx)).await });
            crate::task::yield_now().await;
            drop(stdin);
            assert!(waiting.await.unwrap().unwrap().success());
            let status = std::future::poll_fn(|cx| quick.poll_wait(cx))
                .await
                .unwrap();
            assert!(status.success());
        });
    }

    #[test]
    fn a_killed_child_reports_its_signal_through_either_watch() {
        use std::os::unix::process::ExitStatusExt;

        for force_signal in [false, true] {
            let status = crate::block_on(async {
                let child = Command::new("sleep").arg("60").spawn().unwrap();
                let mut exit = if force_signal {
                    Exit::with_child_signal(child)
                } else {
                    Exit::new(child)
                }
                .map_err(|(_, error)| error)
                .unwrap();
                exit.start_kill().unwrap();
                std::future::poll_fn(|cx| exit.poll_wait(cx)).await.unwrap()
            });
            assert_eq!(status.signal(), Some(libc::SIGKILL));
        }
    }

    #[test]
    fn an_exit_awaited_outside_its_runtime_is_an_error_not_a_hang() {
        let mut exit = crate::block_on(async {
            let child = Command::new("sleep").arg("60").spawn().unwrap();
            Exit::new(child).map_err(|(_, error)| error).unwrap()
        });
        let error = wait(&mut exit).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::Other);
        exit.start_kill().unwrap();
        let mut child = exit.into_unreaped().unwrap();
        child.wait().unwrap();
    }
}
