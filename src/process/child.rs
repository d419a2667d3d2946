//! `Child`: a running child process, its pipes, and the ways to wait for it.

use std::future::poll_fn;
use std::io;
use std::process::{ExitStatus, Output};

use futures_util::future::try_join3;

use super::exit::Exit;
use super::orphan;
use super::pipes::{ChildStderr, ChildStdin, ChildStdout};
use crate::io::{AsyncRead, AsyncReadExt};

/// The parent's ends of a child's stdin, stdout and stderr, those that are pipes.
pub(crate) type Pipes = (Option<ChildStdin>, Option<ChildStdout>, Option<ChildStderr>);

/// A child process spawned by [`Command::spawn`](super::Command::spawn).
///
/// Unlike tokio's, it belongs to the runtime it was spawned in: its pipes and its exit
/// are watched by that runtime's reactor.
///
/// Dropping a `Child` does not kill the process (unless
/// [`kill_on_drop`](super::Command::kill_on_drop) was set), but it is still reaped once
/// it exits: by a task on its runtime, or, when the runtime is gone, by a thread. No
/// zombie is left behind.
#[derive(Debug)]
pub struct Child {
    /// The parent's end of the child's stdin, if it was [`Stdio::piped`](std::process::Stdio::piped).
    pub stdin: Option<ChildStdin>,
    /// The parent's end of the child's stdout, if it was piped.
    pub stdout: Option<ChildStdout>,
    /// The parent's end of the child's stderr, if it was piped.
    pub stderr: Option<ChildStderr>,
    /// `None` only inside `drop`.
    exit: Option<Exit>,
    kill_on_drop: bool,
}

impl Child {
    pub(crate) fn new(exit: Exit, pipes: Pipes, kill_on_drop: bool) -> Child {
        let (stdin, stdout, stderr) = pipes;
        Child {
            stdin,
            stdout,
            stderr,
            exit: Some(exit),
            kill_on_drop,
        }
    }

    fn exit(&mut self) -> &mut Exit {
        self.exit.as_mut().expect("present until drop")
    }

    /// The process id, or `None` once the child has been reaped (by `wait`, `try_wait`
    /// or `kill`): from then on the number may belong to another process.
    pub fn id(&self) -> Option<u32> {
        self.exit.as_ref().and_then(Exit::id)
    }

    /// Waits for the child to exit and returns its status.
    ///
    /// The child's stdin is closed first, as in tokio, so that a child that reads its
    /// input to the end can finish. Cancel-safe: dropping the future and calling
    /// `wait` again loses nothing.
    ///
    /// # Errors
    ///
    /// If awaited in another runtime than the child's (or after it was dropped); or
    /// what `waitid` reports.
    pub async fn wait(&mut self) -> io::Result<ExitStatus> {
        drop(self.stdin.take());
        poll_fn(|cx| self.exit().poll_wait(cx)).await
    }

    /// The exit status if the child has exited (and reaps it), or `None` if it is
    /// still running. Does not wait, and works outside a runtime.
    ///
    /// # Errors
    ///
    /// What `waitid` reports.
    pub fn try_wait(&mut self) -> io::Result<Option<ExitStatus>> {
        self.exit().try_wait()
    }

    /// Sends `SIGKILL` to the child, and does not wait for it to die: follow with
    /// [`wait`](Self::wait). Does nothing once the child has been reaped.
    ///
    /// # Errors
    ///
    /// What `kill` reports.
    pub fn start_kill(&mut self) -> io::Result<()> {
        self.exit().start_kill()
    }

    /// Kills the child with `SIGKILL` and waits for it to exit.
    ///
    /// # Errors
    ///
    /// As [`start_kill`](Self::start_kill) and [`wait`](Self::wait).
    pub async fn kill(&mut self) -> io::Result<()> {
        self.start_kill()?;
        self.wait().await?;
        Ok(())
    }

    /// Waits for the child to exit and collects all of its stdout and stderr (those
    /// that were piped), reading both at once: a child that fills one pipe while the
    /// parent would be reading the other cannot deadlock.
    ///
    /// # Errors
    ///
    /// As [`wait`](Self::wait), and any read error of the pipes.
    pub async fn wait_with_output(mut self) -> io::Result<Output> {
        let stdout = read_all(self.stdout.take());
        let stderr = read_all(self.stderr.take());
        let (status, stdout, stderr) = try_join3(self.wait(), stdout, stderr).await?;
        Ok(Output {
            status,
            stdout,
            stderr,
        })
    }
}

/// Everything `pipe` holds until its end of file (nothing if there is no pipe).
async fn read_all(pipe: Option<impl AsyncRead + Unpin>) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    if let Some(mut pipe) = pipe {
        pipe.read_to_end(&mut bytes).await?;
    }
    Ok(bytes)
}

impl Drop for Child {
    fn drop(&mut self) {
        let Some(mut exit) = self.exit.take() else {
            return;
        };
        if self.kill_on_drop {
            // Only an already reaped child refuses the signal: nothing to do then.
            drop(exit.start_kill());
        }
        orphan::reap(exit);
    }
}
