//! `Command`: std's process builder, whose `spawn` gives an async [`Child`].

use std::ffi::OsStr;
use std::io;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{self, ExitStatus, Output, Stdio};

use super::child::{Child, Pipes};
use super::exit::Exit;
use super::orphan;
use super::pipes::{ChildStderr, ChildStdin, ChildStdout};
use crate::runtime::context;

/// A process builder: `std::process::Command`'s builder methods, with a `spawn` whose
/// [`Child`] is waited for and talked to asynchronously.
///
/// The methods are std's (and tokio's), one for one; [`as_std_mut`](Self::as_std_mut)
/// reaches the rest. `CommandExt::pre_exec` is among them: its caller must promise
/// what the hook does in the forked child, so that call stays the caller's.
///
/// # Examples
///
/// ```
/// use evloop::process::Command;
///
/// # #[cfg(not(miri))]
/// evloop::block_on(async {
///     let output = Command::new("echo").arg("hello").output().await?;
///     assert!(output.status.success());
///     assert_eq!(output.stdout, b"hello\n");
///     std::io::Result::Ok(())
/// })?;
/// # std::io::Result::Ok(())
/// ```
#[derive(Debug)]
pub struct Command {
    std: process::Command,
    kill_on_drop: bool,
    /// Which of stdin, stdout and stderr were set, so that `output` can pick its own
    /// defaults (null, piped, piped) for the others, as std's does.
    stdio_set: [bool; 3],
}

impl Command {
    /// A command to run `program` (a path, or a name looked up in `PATH`), with no
    /// arguments, the parent's environment and working directory, and inherited stdio.
    pub fn new(program: impl AsRef<OsStr>) -> Command {
        Command::from(process::Command::new(program))
    }

    /// Adds one argument.
    pub fn arg(&mut self, arg: impl AsRef<OsStr>) -> &mut Command {
        self.std.arg(arg);
        self
    }

    /// Adds several arguments.
    pub fn args<I, S>(&mut self, args: I) -> &mut Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.std.args(args);
        self
    }

    /// Sets an environment variable for the child.
    pub fn env(&mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> &mut Command {
        self.std.env(key, value);
        self
    }

    /// Sets several environment variables for the child.
    pub fn envs<I, K, V>(&mut self, vars: I) -> &mut Command
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<OsStr>,
        V: AsRef<OsStr>,
    {
        self.std.envs(vars);
        self
    }

    /// Removes an environment variable from the child's environment.
    pub fn env_remove(&mut self, key: impl AsRef<OsStr>) -> &mut Command {
        self.std.env_remove(key);
        self
    }

    /// Clears the child's environment: it gets only the variables set after this.
    pub fn env_clear(&mut self) -> &mut Command {
        self.std.env_clear();
        self
    }

    /// Sets the child's working directory.
    pub fn current_dir(&mut self, dir: impl AsRef<Path>) -> &mut Command {
        self.std.current_dir(dir);
        self
    }

    /// Sets the child's stdin: [`Stdio::piped`] gives [`Child::stdin`].
    pub fn stdin(&mut self, cfg: impl Into<Stdio>) -> &mut Command {
        self.std.stdin(cfg);
        self.stdio_set[0] = true;
        self
    }

    /// Sets the child's stdout: [`Stdio::piped`] gives [`Child::stdout`].
    pub fn stdout(&mut self, cfg: impl Into<Stdio>) -> &mut Command {
        self.std.stdout(cfg);
        self.stdio_set[1] = true;
        self
    }

    /// Sets the child's stderr: [`Stdio::piped`] gives [`Child::stderr`].
    pub fn stderr(&mut self, cfg: impl Into<Stdio>) -> &mut Command {
        self.std.stderr(cfg);
        self.stdio_set[2] = true;
        self
    }

    /// Whether dropping the [`Child`] before it was reaped kills it (`SIGKILL`).
    /// Off by default: a dropped child runs on, and is reaped when it exits.
    pub fn kill_on_drop(&mut self, kill_on_drop: bool) -> &mut Command {
        self.kill_on_drop = kill_on_drop;
        self
    }

    /// Puts the child in process group `pgroup` (`0`: a new group, led by the child),
    /// as `CommandExt::process_group`.
    pub fn process_group(&mut self, pgroup: i32) -> &mut Command {
        self.std.process_group(pgroup);
        self
    }

    /// Runs the child as user `id`, as `CommandExt::uid`.
    pub fn uid(&mut self, id: u32) -> &mut Command {
        self.std.uid(id);
        self
    }

    /// Runs the child as group `id`, as `CommandExt::gid`.
    pub fn gid(&mut self, id: u32) -> &mut Command {
        self.std.gid(id);
        self
    }

    /// Sets the child's `argv[0]`, as `CommandExt::arg0`.
    pub fn arg0(&mut self, arg: impl AsRef<OsStr>) -> &mut Command {
        self.std.arg0(arg);
        self
    }

    /// The std command inside.
    pub fn as_std(&self) -> &process::Command {
        &self.std
    }

    /// The std command inside, for what this type does not wrap (`pre_exec`, say).
    pub fn as_std_mut(&mut self) -> &mut process::Command {
        &mut self.std
    }

    /// Starts the child.
    ///
    /// Its pipes (those set to [`Stdio::piped`]) and its exit are registered with
    /// the current runtime's reactor. The exit is seen through a pidfd (Linux 5.3 and
    /// later); on a kernel without `pidfd_open`, through `SIGCHLD`, which installs
    /// evloop's process-wide handler for that signal.
    ///
    /// # Errors
    ///
    /// Outside a runtime (an error of kind `Other`, and no process is started); if the
    /// program cannot be found (`NotFound`) or run (`PermissionDenied`, ...); if out of
    /// file descriptors. A child already started when a later step fails is killed
    /// and reaped.
    pub fn spawn(&mut self) -> io::Result<Child> {
        if context::with_current(|_| ()).is_none() {
            return Err(io::Error::other(
                "evloop: `Command::spawn` needs a runtime on this thread, to watch the \
                 child's pipes and exit; call it from inside `block_on` or a task",
            ));
        }
        let mut child = self.std.spawn()?;
        let pipes = take_pipes(&mut child);
        let exit = match Exit::new(child) {
            Ok(exit) => exit,
            Err((child, error)) => {
                abandon(child);
                return Err(error);
            }
        };
        match pipes {
            Ok(pipes) => Ok(Child::new(exit, pipes, self.kill_on_drop)),
            Err(error) => {
                if let Some(child) = exit.into_unreaped() {
                    abandon(child);
                }
                Err(error)
            }
        }
    }

    /// Runs the child to its end and returns its exit status. Stdio is inherited
    /// unless set.
    ///
    /// # Errors
    ///
    /// As [`spawn`](Self::spawn) and [`Child::wait`].
    pub async fn status(&mut self) -> io::Result<ExitStatus> {
        self.spawn()?.wait().await
    }

    /// Runs the child to its end and collects its stdout and stderr, read at once (a
    /// child that fills one pipe while the other is read cannot deadlock).
    ///
    /// Unless set, stdin is null and stdout and stderr are piped, as in std.
    ///
    /// # Errors
    ///
    /// As [`spawn`](Self::spawn) and [`Child::wait_with_output`].
    pub async fn output(&mut self) -> io::Result<Output> {
        let set = self.stdio_set;
        if !set[0] {
            self.std.stdin(Stdio::null());
        }
        if !set[1] {
            self.std.stdout(Stdio::piped());
        }
        if !set[2] {
            self.std.stderr(Stdio::piped());
        }
        let spawned = self.spawn();
        // The defaults are this call's: a later `spawn` sees the command as it was.
        self.restore_stdio(set);
        spawned?.wait_with_output().await
    }

    fn restore_stdio(&mut self, set: [bool; 3]) {
        if !set[0] {
            self.std.stdin(Stdio::inherit());
        }
        if !set[1] {
            self.std.stdout(Stdio::inherit());
        }
        if !set[2] {
            self.std.stderr(Stdio::inherit());
        }
    }
}

/// The parent's ends of the child's pipes, registered with the reactor.
fn take_pipes(child: &mut process::Child) -> io::Result<Pipes> {
    Ok((
        child.stdin.take().map(ChildStdin::new).transpose()?,
        child.stdout.take().map(ChildStdout::new).transpose()?,
        child.stderr.take().map(ChildStderr::new).transpose()?,
    ))
}

/// Kills and reaps a child whose `spawn` failed after it started.
fn abandon(mut child: process::Child) {
    drop(child.kill());
    orphan::reap_on_thread(child);
}

impl From<process::Command> for Command {
    fn from(std: process::Command) -> Command {
        Command {
            std,
            kill_on_drop: false,
            stdio_set: [false; 3],
        }
    }
}
