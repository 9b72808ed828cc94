//! Child processes: foreground commands, supervised background services, and Ctrl-C.

use std::{
    fmt, fs,
    os::unix::{fs::MetadataExt, process::CommandExt},
    process::{Child, Command, ExitStatus, Stdio},
    sync::{
        Mutex,
        atomic::{AtomicBool, Ordering},
    },
    thread,
    time::{Duration, Instant},
};

use crate::{
    Result,
    steps::{say, seconds, step},
};

/// The error a task ends with after Ctrl-C (or SIGTERM/SIGHUP), once it has stopped what it started.
#[derive(Debug)]
pub struct Interrupted;

impl fmt::Display for Interrupted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("interrupted")
    }
}

impl std::error::Error for Interrupted {}

static INTERRUPTED: AtomicBool = AtomicBool::new(false);
/// Foreground children. Ctrl-C in a terminal reaches them anyway (same process group); a SIGTERM
/// sent to the xtask alone is forwarded, so it stops promptly and still cleans up.
static FOREGROUND: Mutex<Vec<u32>> = Mutex::new(Vec::new());

/// Turns Ctrl-C into a flag the tasks poll, so they stop their children and clusters themselves.
pub fn handle_interrupts() -> Result {
    ctrlc::set_handler(|| {
        INTERRUPTED.store(true, Ordering::SeqCst);
        for pid in foreground().iter() {
            signal("TERM", &pid.to_string());
        }
    })?;
    Ok(())
}

pub fn check_interrupted() -> Result {
    if INTERRUPTED.load(Ordering::SeqCst) { Err(Interrupted.into()) } else { Ok(()) }
}

pub fn is_root() -> bool {
    fs::metadata("/proc/self").is_ok_and(|me| me.uid() == 0)
}

/// Runs a command to completion with inherited output; fails unless it exits successfully.
pub fn run(command: &mut Command) -> Result {
    let shown = describe(command);
    let mut child = command.spawn().map_err(|error| format!("cannot start `{shown}`: {error}"))?;
    let pid = child.id();
    foreground().push(pid);
    let status = child.wait();
    foreground().retain(|&other| other != pid);
    let status = status?;
    if !status.success() {
        // A failure caused by Ctrl-C is an interruption, not a broken build. (A success still
        // counts: clean-up commands run after Ctrl-C too.)
        check_interrupted()?;
        return Err(format!("`{shown}` failed ({status})").into());
    }
    Ok(())
}

/// Runs a command and returns its standard output; fails (with its stderr) unless it succeeds.
pub fn output(command: &mut Command) -> Result<String> {
    let shown = describe(command);
    let output = command.output().map_err(|error| format!("cannot start `{shown}`: {error}"))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(format!("`{shown}` failed ({}): {}", output.status, stderr.trim()).into());
    }
    Ok(String::from_utf8(output.stdout)?)
}

fn foreground() -> std::sync::MutexGuard<'static, Vec<u32>> {
    FOREGROUND.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn describe(command: &Command) -> String {
    let words = std::iter::once(command.get_program()).chain(command.get_args());
    words.map(|word| word.to_string_lossy()).collect::<Vec<_>>().join(" ")
}

/// Sends a signal with the `kill` command (no `unsafe` libc calls); `target` is a pid or `-<pgid>`.
fn signal(name: &str, target: &str) {
    let _ = Command::new("kill").args([&format!("-{name}"), "--", target]).stderr(Stdio::null()).status();
}

/// A long-running child in its own process group: Ctrl-C reaches only the xtask, which then stops
/// the whole group (e.g. trunk and the cargo/rustc it spawned) in order.
struct Service {
    name: String,
    child: Child,
}

impl Service {
    fn exited(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    fn stop(mut self) {
        let pid = self.child.id();
        let _ = step(&format!("stopping {} (pid {pid})", self.name), || {
            let group = format!("-{pid}");
            signal("TERM", &group);
            let deadline = Instant::now() + Duration::from_secs(10);
            while self.exited().is_none() && Instant::now() < deadline {
                thread::sleep(Duration::from_millis(50));
            }
            // Also whatever of the group outlived its leader (say, a rustc that trunk started).
            signal("KILL", &group);
            self.child.wait()?;
            Ok(())
        });
    }
}

/// The services a task started; dropping it stops them, the last started first.
#[derive(Default)]
pub struct Services(Vec<Service>);

impl Services {
    pub fn spawn(&mut self, name: &str, command: &mut Command) -> Result {
        let child = command
            .process_group(0)
            .stdin(Stdio::null())
            .spawn()
            .map_err(|error| format!("cannot start {name} (`{}`): {error}", describe(command)))?;
        self.0.push(Service { name: name.to_owned(), child });
        Ok(())
    }

    /// Kills the service `name` at once (SIGKILL, as a crash would end it) and forgets it.
    pub fn kill(&mut self, name: &str) -> Result {
        let at = self.0.iter().position(|service| service.name == name).ok_or_else(|| format!("no service {name}"))?;
        let mut service = self.0.remove(at);
        signal("KILL", &service.child.id().to_string());
        service.child.wait()?;
        Ok(())
    }

    /// Polls until `ready()` holds. Fails on Ctrl-C, when a service exits, or after `timeout`.
    pub fn wait_until(&mut self, what: &str, timeout: Option<Duration>, mut ready: impl FnMut() -> bool) -> Result {
        let started = Instant::now();
        loop {
            if let Err(error) = check_interrupted().and_then(|()| self.check_running()) {
                say!("==> {error}: stopping everything");
                return Err(error);
            }
            if ready() {
                return Ok(());
            }
            if timeout.is_some_and(|timeout| started.elapsed() > timeout) {
                return Err(format!("gave up waiting for {what} after {}", seconds(started.elapsed())).into());
            }
            thread::sleep(Duration::from_millis(200));
        }
    }

    /// Keeps the services running; returns only with an error: Ctrl-C or a service that exited.
    pub fn supervise(&mut self) -> Result {
        self.wait_until("Ctrl-C", None, || false)
    }

    fn check_running(&mut self) -> Result {
        for service in &mut self.0 {
            if let Some(status) = service.exited() {
                return Err(format!("{} exited unexpectedly ({status})", service.name).into());
            }
        }
        Ok(())
    }
}

impl Drop for Services {
    fn drop(&mut self) {
        while let Some(service) = self.0.pop() {
            service.stop();
        }
    }
}
