//! Servers of ours run as real child processes on port 0: the first stdout line that says
//! `listening on http://ADDR` gives the address; the child is stopped (SIGTERM, then kill) and
//! reaped on drop.
//!
//! Both output pipes are drained by threads into buffers the test can read: a child that prints
//! a line per exchange would otherwise block on a full pipe once nobody reads it.

use std::io::{BufRead as _, BufReader, Read};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct Server {
    pub addr: SocketAddr,
    child: Child,
    stdout: Arc<Mutex<Vec<u8>>>,
    stderr: Arc<Mutex<Vec<u8>>>,
}

impl Server {
    /// Start `cursor-harness ARGS` and wait (at most 30 s) for its listening line.
    pub fn start(args: &[&str]) -> Server {
        let mut command = super::harness();
        command.args(args);
        Server::spawn(command)
    }

    /// Start a prepared command (environment, limits) and wait for its listening line.
    pub fn spawn(mut command: Command) -> Server {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|err| panic!("start {command:?}: {err}"));
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let stderr = drain(child.stderr.take().unwrap(), Vec::new());
        // Owned by the guard at once, so a failed start below still kills and reaps the child.
        let mut server = Server {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            child,
            stdout: Arc::default(),
            stderr,
        };
        let started = Instant::now();
        let mut seen = String::new();
        loop {
            let mut line = String::new();
            let read = stdout.read_line(&mut line).unwrap_or(0);
            seen.push_str(&line);
            assert!(
                read > 0 && started.elapsed() < Duration::from_secs(30),
                "{command:?} ended or never said where it listens\n--- stdout ---\n{seen}\n--- stderr ---\n{}",
                server.stderr_text()
            );
            if let Some(at) = line.split("listening on http://").nth(1) {
                server.addr = at.split_whitespace().next().unwrap().parse().unwrap();
                server.stdout = drain(stdout, seen.into_bytes());
                return server;
            }
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Standard output so far (from the first line).
    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout.lock().unwrap()).into_owned()
    }

    /// Standard error so far.
    pub fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr.lock().unwrap()).into_owned()
    }

    /// Send a signal by name (`INT`, `TERM`).
    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -{name} failed");
    }

    /// Wait up to `limit` for the exit; `Err` (and the child killed) when it did not come.
    pub fn wait(&mut self, limit: Duration) -> Result<Option<i32>, String> {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Ok(status.code());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        Err(format!("the child did not exit within {limit:?}"))
    }

    /// Stop like Ctrl-C would (SIGTERM) and wait for the exit.
    pub fn stop(&mut self) -> Option<i32> {
        self.signal("TERM");
        self.wait(Duration::from_secs(20)).ok().flatten()
    }
}

/// Read a pipe to its end on a thread, appending to a shared buffer that starts as `start`.
fn drain(mut pipe: impl Read + Send + 'static, start: Vec<u8>) -> Arc<Mutex<Vec<u8>>> {
    let buffer = Arc::new(Mutex::new(start));
    let sink = buffer.clone();
    std::thread::spawn(move || {
        let mut chunk = [0u8; 8192];
        while let Ok(n) = pipe.read(&mut chunk) {
            if n == 0 {
                break;
            }
            sink.lock().unwrap().extend_from_slice(&chunk[..n]);
        }
    });
    buffer
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        if std::thread::panicking() {
            eprintln!("--- child stderr ---\n{}", self.stderr_text());
        }
    }
}
