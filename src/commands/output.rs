//! Where command output goes: standard output (styles stripped unless it is a colour
//! terminal) or a file written atomically (always plain).

use std::io::Write as _;
use std::path::Path;

use anyhow::Context as _;

use crate::exit::Failure;
use crate::fsio::write_atomically;

/// Print to standard output, keeping ANSI styles only on a colour terminal (`NO_COLOR` and
/// `CLICOLOR_FORCE` are honoured).
pub fn print(text: &str) -> anyhow::Result<()> {
    let mut stdout = anstream::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => Ok(()),
        // A closed pipe (`| head`) is not an error worth a message.
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(err) => Err(err).context("writing to standard output"),
    }
}

/// One status line on standard output (see `say!`); errors writing it are ignored.
pub fn line(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{text}");
}

/// Write to FILE atomically with styles stripped, or print.
pub fn emit(text: &str, out: Option<&Path>) -> anyhow::Result<()> {
    match out {
        Some(path) => {
            let plain = anstream::adapter::strip_str(text).to_string();
            write_atomically(path, plain.as_bytes()).map_err(|err| {
                Failure::operational(format!("cannot write {}: {err}", path.display()))
                    .with_hint("check that the folder is writable and the disk has space")
            })?;
            Ok(())
        }
        None => print(text),
    }
}
