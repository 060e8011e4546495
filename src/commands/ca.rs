//! `cursor-harness ca init | path | export`: create the forward proxy's CA, say where its
//! certificate is, print it.

use std::path::PathBuf;
use std::process::ExitCode;

use base64::Engine as _;

use crate::cli::{CaArgs, CaCommand, CaFormat};
use crate::exit::Failure;
use crate::tls::ca::{self, CaError, CaPaths};

pub fn run(args: CaArgs) -> anyhow::Result<ExitCode> {
    let given = args.dir.clone();
    let dir = resolve_dir(args.dir)?;
    let paths = CaPaths::new(&dir);
    match args.command {
        CaCommand::Init { force } => {
            ca::create(&dir, force).map_err(failure)?;
            let der = crate::tls::load_certificates(&paths.cert).map_err(|reason| {
                failure(CaError::Certificate {
                    path: paths.cert.clone(),
                    reason,
                })
            })?;
            say!("created the cursor-harness CA in {}", dir.display());
            say!(
                "  certificate  {} (sha256 {})",
                paths.cert.display(),
                crate::tls::fingerprint(&der[0])
            );
            say!(
                "  key          {} (mode 0600: keep it private, never share it)",
                paths.key.display()
            );
            say!("trust the certificate in the clients you record, for example:");
            say!(
                "  SSL_CERT_FILE={}  (OpenSSL-based clients, Python ssl, Go on Linux)",
                paths.cert.display()
            );
            say!(
                "  NODE_EXTRA_CA_CERTS={}  REQUESTS_CA_BUNDLE={}",
                paths.cert.display(),
                paths.cert.display()
            );
            say!("  curl --cacert {}", paths.cert.display());
            // The next step names the folder whenever `record` would not find it by itself.
            let default = ca::default_dir().ok();
            let next = match (
                &given,
                std::env::var_os(CA_DIR_ENV).filter(|v| !v.is_empty()),
            ) {
                (Some(_), _) if default.as_ref() != Some(&dir) => format!(
                    "cursor-harness record --forward --ca-dir {}",
                    crate::text::shell::quote(&dir.display().to_string())
                ),
                (None, Some(_)) => format!(
                    "cursor-harness record --forward   (it finds the CA through ${CA_DIR_ENV})"
                ),
                _ => "cursor-harness record --forward".to_owned(),
            };
            say!("then: {next}   (the README has the system-store steps)");
        }
        CaCommand::Path => {
            let cert = paths.existing_cert().map_err(failure)?;
            say!("{}", cert.display());
        }
        CaCommand::Export { format } => {
            let cert = paths.existing_cert().map_err(failure)?;
            let certs = crate::tls::load_certificates(cert).map_err(|reason| {
                failure(CaError::Certificate {
                    path: cert.to_owned(),
                    reason,
                })
            })?;
            match format {
                CaFormat::Pem => {
                    // Re-encoded from the parsed certificates, so nothing but certificates (no
                    // key, whatever else the file might hold) is ever printed.
                    for der in &certs {
                        super::output::print(&pem_certificate(der))?;
                    }
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The environment variable that names the CA folder when no flag does.
pub const CA_DIR_ENV: &str = "CURSOR_HARNESS_CA_DIR";

/// `--dir` (or `--ca-dir`), else `$CURSOR_HARNESS_CA_DIR`, else the default folder.
pub fn resolve_dir(dir: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    match dir {
        Some(dir) => Ok(dir),
        None => match std::env::var_os(CA_DIR_ENV).filter(|v| !v.is_empty()) {
            Some(dir) => Ok(PathBuf::from(dir)),
            None => ca::default_dir().map_err(failure),
        },
    }
}

/// A CA error as a failure with its exit code and hint.
pub fn failure(err: CaError) -> anyhow::Error {
    let hint = err.hint();
    let mut failure = match err {
        CaError::Read { .. } | CaError::Write { .. } | CaError::Generate(_) => {
            Failure::operational(err.to_string())
        }
        _ => Failure::usage(err.to_string()),
    };
    if let Some(hint) = hint {
        failure = failure.with_hint(hint);
    }
    failure.into()
}

fn pem_certificate(der: &[u8]) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
    for line in encoded.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out.push_str("-----END CERTIFICATE-----\n");
    out
}
