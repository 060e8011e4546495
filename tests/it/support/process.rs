//! Servers of ours run as real child processes on port 0: the first stdout line that says
//! `listening on http://ADDR` gives the address; the child is stopped (SIGTERM, then kill) and
//! reaped on drop.

use std::io::{BufRead as _, BufReader};
use std::net::SocketAddr;
use std::process::{Child, ChildStdout, Stdio};
use std::time::{Duration, Instant};

pub struct Server {
    pub addr: SocketAddr,
    child: Child,
    /// The rest of standard output, kept open so the child never writes into a closed pipe.
    pub stdout: BufReader<ChildStdout>,
}

impl Server {
    /// Start `cursor-harness ARGS` and wait (at most 30 s) for its listening line.
    pub fn start(args: &[&str]) -> Server {
        let mut child = super::harness()
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start cursor-harness");
        let stdout = BufReader::new(child.stdout.take().unwrap());
        // Owned by the guard at once, so a failed start below still kills and reaps the child.
        let mut server = Server {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            child,
            stdout,
        };
        let started = Instant::now();
        let mut line = String::new();
        loop {
            line.clear();
            let read = server.stdout.read_line(&mut line).unwrap_or(0);
            assert!(
                read > 0 && started.elapsed() < Duration::from_secs(30),
                "{args:?} ended or never said where it listens (last line {line:?})"
            );
            if let Some(at) = line.split("listening on http://").nth(1) {
                server.addr = at.split_whitespace().next().unwrap().parse().unwrap();
                return server;
            }
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Stop like Ctrl-C would (SIGTERM) and wait for the exit.
    pub fn stop(&mut self) -> Option<i32> {
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        self.child.wait().ok().and_then(|s| s.code())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
