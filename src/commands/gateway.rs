//! `cursor-harness gateway`: serve the reference gateway until Ctrl-C or SIGTERM.

use std::io::Write as _;
use std::process::ExitCode;
use std::time::Duration;

use crate::cli::GatewayArgs;
use crate::gateway::{Gateway, server};

pub fn run(args: GatewayArgs) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let listener = super::bind(args.listen).await?;
        let local = listener.local_addr()?;
        // The first line is the contract tests and scripts read to learn the port. A reader
        // that closes the pipe after it must not stop the server, so write errors are ignored.
        let banner = format!(
            "listening on http://{local}\ncursor-harness gateway: profile {}, base URL http://{local}/v1 (HTTP/1.1 and HTTP/2); Ctrl-C stops\n",
            args.profile.as_str()
        );
        let mut stdout = std::io::stdout().lock();
        let _ = stdout.write_all(banner.as_bytes()).and_then(|()| stdout.flush());
        drop(stdout);
        let mut gateway = Gateway::new(args.profile.mode());
        gateway.chunk_delay = Duration::from_millis(args.chunk_delay);
        let log: Option<server::Log> = args.log.then(|| {
            std::sync::Arc::new(|line: &str| {
                // A closed standard output ends the lines, not the server.
                let _ = writeln!(std::io::stdout().lock(), "{line}");
            }) as server::Log
        });
        server::serve_logged(
            listener,
            gateway,
            log,
            super::stop_signal(),
            Duration::from_secs(5),
            args.connections.limits(),
        )
        .await;
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}
