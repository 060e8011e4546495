//! The per-folder hash key behind the redaction tokens: 32 random bytes, hex, in a file only
//! its owner can read. Whoever holds it can test guesses against every token made with it, so
//! it lives beside the captures and never in them, and outputs meant for sharing never carry
//! one (`scan` refuses a folder that holds one).

use std::fs;
use std::io::{self, Write as _};
use std::path::Path;

/// File name of the hash key inside a captures folder.
pub const KEY_FILE: &str = ".redaction-key";

/// 32 random bytes.
pub(super) fn random() -> io::Result<[u8; 32]> {
    let mut key = [0u8; 32];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut key)
        .map_err(|_| io::Error::other("no system randomness"))?;
    Ok(key)
}

/// Read the key at `path`, or create it (mode 0600, in a folder made 0700 when missing).
pub(super) fn load_or_create(path: &Path) -> io::Result<Vec<u8>> {
    match read(path) {
        Err(err) if err.kind() == io::ErrorKind::NotFound => {
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                crate::fsio::create_private_dir_all(parent)?;
            }
            let key = random()?;
            let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
            // `create_new` never follows a link or overwrites: two recorders starting together
            // agree on the first one's key.
            match crate::fsio::create_private_file(path) {
                Ok(mut file) => {
                    file.write_all(hex.as_bytes())?;
                    file.sync_all()?;
                    Ok(key.to_vec())
                }
                Err(err) if err.kind() == io::ErrorKind::AlreadyExists => read(path),
                Err(err) => Err(err),
            }
        }
        other => other,
    }
}

fn read(path: &Path) -> io::Result<Vec<u8>> {
    let text = fs::read_to_string(path)?;
    let text = text.trim();
    let bytes: Option<Vec<u8>> = (0..text.len())
        .step_by(2)
        .map(|i| {
            text.get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        })
        .collect();
    match bytes {
        Some(bytes) if bytes.len() >= 16 => Ok(bytes),
        _ => Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "the key file is not hex of at least 16 bytes",
        )),
    }
}
