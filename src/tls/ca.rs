//! The certificate authority of `record --forward`: created once by `ca init`, stored in the
//! user's config folder (the key mode 0600, never printed), loaded by the proxy to mint a leaf
//! certificate for every host it intercepts.
//!
//! Defaults chosen for what browsers, curl, Node, Python and Go accept: ECDSA P-256 keys
//! signed with SHA-256; a CA valid ten years with `pathLenConstraint 0` (it can sign leaves,
//! never another CA); leaves valid 90 days (well under the 398 days Apple and Chrome allow),
//! with the name both as SAN (a DNS name or an IP address) and CN, `serverAuth` only, and a
//! random 128-bit serial. Validity starts a day back so a client whose clock is behind still
//! accepts a fresh leaf.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SanType, SerialNumber,
};
use rustls::ServerConfig;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::sign::{CertifiedKey, SigningKey, SingleCertAndKey};
use time::{Duration, OffsetDateTime};

use super::{ALPN_H2_H1, provider};

/// The CA certificate's file name in the CA folder.
pub const CERT_FILE: &str = "cursor-harness-ca.pem";
/// The CA key's file name in the CA folder (mode 0600).
pub const KEY_FILE: &str = "cursor-harness-ca-key.pem";

const CA_DAYS: i64 = 3650;
const LEAF_DAYS: i64 = 90;
const BACKDATE_DAYS: i64 = 1;

#[derive(Debug, thiserror::Error)]
pub enum CaError {
    #[error("there is no CA in {dir} ({missing} is missing)")]
    Missing { dir: PathBuf, missing: PathBuf },
    #[error("a CA already exists in {dir}")]
    Exists { dir: PathBuf },
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not a usable CA certificate: {reason}")]
    Certificate { path: PathBuf, reason: String },
    #[error("{path} is not a usable CA key: {reason}")]
    Key { path: PathBuf, reason: String },
    #[error("{path} can be read by other users (mode {mode:03o}); the CA key must be private")]
    KeyMode { path: PathBuf, mode: u32 },
    #[error("cannot find your config folder: neither XDG_CONFIG_HOME nor HOME is set")]
    NoConfigDir,
    #[error("cannot make a certificate for {name:?}: {reason}")]
    Leaf { name: String, reason: String },
    #[error("cannot generate the CA: {0}")]
    Generate(rcgen::Error),
}

impl CaError {
    /// One line telling the user what to do, where the cause is known.
    pub fn hint(&self) -> Option<String> {
        match self {
            CaError::Missing { dir, .. } => Some(format!(
                "create one with `cursor-harness ca init{}`",
                dir_flag(dir)
            )),
            CaError::Exists { dir } => Some(format!(
                "`cursor-harness ca init --force{}` replaces it; clients that trust the old CA must then trust the new one",
                dir_flag(dir)
            )),
            CaError::KeyMode { path, .. } => Some(format!("run `chmod 600 {}`", path.display())),
            CaError::NoConfigDir => Some("name the CA folder with --dir (or --ca-dir)".to_owned()),
            CaError::Certificate { .. } | CaError::Key { .. } => Some(
                "the CA files are damaged; `cursor-harness ca init --force` makes a new CA"
                    .to_owned(),
            ),
            _ => None,
        }
    }
}

/// ` --dir DIR` unless DIR is the default folder, so a hint can be pasted as it is.
fn dir_flag(dir: &Path) -> String {
    match default_dir() {
        Ok(default) if default == dir => String::new(),
        _ => format!(" --dir {}", dir.display()),
    }
}

/// Where the CA lives unless `--dir` says otherwise: `$XDG_CONFIG_HOME/cursor-harness/ca`, or
/// `~/.config/cursor-harness/ca`.
pub fn default_dir() -> Result<PathBuf, CaError> {
    let non_empty = |name: &str| std::env::var_os(name).filter(|value| !value.is_empty());
    let config = match non_empty("XDG_CONFIG_HOME") {
        Some(config) => PathBuf::from(config),
        None => PathBuf::from(non_empty("HOME").ok_or(CaError::NoConfigDir)?).join(".config"),
    };
    Ok(config.join("cursor-harness").join("ca"))
}

/// The two files of a CA folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaPaths {
    pub dir: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl CaPaths {
    pub fn new(dir: &Path) -> CaPaths {
        CaPaths {
            dir: dir.to_owned(),
            cert: dir.join(CERT_FILE),
            key: dir.join(KEY_FILE),
        }
    }

    /// The certificate path, or `Missing` when the CA was never created.
    pub fn existing_cert(&self) -> Result<&Path, CaError> {
        if self.cert.is_file() {
            Ok(&self.cert)
        } else {
            Err(CaError::Missing {
                dir: self.dir.clone(),
                missing: self.cert.clone(),
            })
        }
    }
}

/// Create a CA in `dir`. Refuses to replace an existing one unless `force`. Returns the
/// certificate's PEM text.
pub fn create(dir: &Path, force: bool) -> Result<String, CaError> {
    let paths = CaPaths::new(dir);
    if !force && (paths.cert.exists() || paths.key.exists()) {
        return Err(CaError::Exists {
            dir: dir.to_owned(),
        });
    }
    let key = KeyPair::generate().map_err(CaError::Generate)?;
    let cert = ca_params()
        .self_signed(&key)
        .map_err(CaError::Generate)?
        .pem();
    create_dir_private(dir)?;
    // Key first: a crash in between leaves no certificate that nothing can sign for.
    let write = |path: &Path, result: std::io::Result<()>| {
        result.map_err(|source| CaError::Write {
            path: path.to_owned(),
            source,
        })
    };
    write(
        &paths.key,
        crate::fsio::write_atomically(&paths.key, key.serialize_pem().as_bytes()),
    )?;
    write(
        &paths.cert,
        crate::fsio::write_public_atomically(&paths.cert, cert.as_bytes()),
    )?;
    Ok(cert)
}

fn create_dir_private(dir: &Path) -> Result<(), CaError> {
    crate::fsio::create_private_dir_all(dir).map_err(|source| CaError::Write {
        path: dir.to_owned(),
        source,
    })
}

fn ca_params() -> CertificateParams {
    let mut params = CertificateParams::default();
    let mut name = DistinguishedName::new();
    // A distinct name per CA, so a user can tell theirs apart in a trust store.
    name.push(
        DnType::CommonName,
        format!("cursor-harness CA {}", hex(&random::<4>())),
    );
    name.push(DnType::OrganizationName, "cursor-harness");
    params.distinguished_name = name;
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let now = OffsetDateTime::now_utc();
    params.not_before = now - Duration::days(BACKDATE_DAYS);
    params.not_after = now + Duration::days(CA_DAYS);
    params.serial_number = Some(serial());
    params
}

/// A loaded CA, ready to mint leaves.
pub struct Authority {
    issuer: Issuer<'static, KeyPair>,
    cert_der: CertificateDer<'static>,
    /// One key for every leaf of this process: minting is then one signature, not a key
    /// generation plus a signature; each run gets a fresh one.
    leaf_key: KeyPair,
    leaf_signer: Arc<dyn SigningKey>,
    pub paths: CaPaths,
}

impl std::fmt::Debug for Authority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authority")
            .field("paths", &self.paths)
            .finish_non_exhaustive()
    }
}

impl Authority {
    /// Load the CA in `dir`; the key must exist and be private to its owner.
    pub fn load(dir: &Path) -> Result<Authority, CaError> {
        let paths = CaPaths::new(dir);
        for path in [&paths.cert, &paths.key] {
            if !path.exists() {
                return Err(CaError::Missing {
                    dir: dir.to_owned(),
                    missing: path.clone(),
                });
            }
        }
        check_private(&paths.key)?;
        let read = |path: &Path| {
            std::fs::read_to_string(path).map_err(|source| CaError::Read {
                path: path.to_owned(),
                source,
            })
        };
        let cert_pem = read(&paths.cert)?;
        let key_pem = read(&paths.key)?;
        let key = KeyPair::from_pem(&key_pem).map_err(|err| CaError::Key {
            path: paths.key.clone(),
            reason: err.to_string(),
        })?;
        let bad_cert = |reason: String| CaError::Certificate {
            path: paths.cert.clone(),
            reason,
        };
        let cert_der = super::load_certificates(&paths.cert)
            .map_err(bad_cert)?
            .swap_remove(0);
        if !cert_der
            .as_ref()
            .windows(key.public_key_raw().len())
            .any(|w| w == key.public_key_raw())
        {
            return Err(bad_cert(format!(
                "it does not belong to the key in {}",
                paths.key.display()
            )));
        }
        let issuer = Issuer::from_ca_cert_pem(&cert_pem, key)
            .map_err(|err| bad_cert(format!("cannot be parsed ({err})")))?;
        let leaf_key = KeyPair::generate().map_err(CaError::Generate)?;
        let leaf_signer = provider()
            .key_provider
            .load_private_key(PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
                leaf_key.serialize_der(),
            )))
            .map_err(|err| CaError::Key {
                path: PathBuf::from("(leaf key)"),
                reason: err.to_string(),
            })?;
        Ok(Authority {
            issuer,
            cert_der,
            leaf_key,
            leaf_signer,
            paths,
        })
    }

    /// The CA certificate (what clients must trust).
    pub fn certificate(&self) -> &CertificateDer<'static> {
        &self.cert_der
    }

    /// A leaf certificate for `name` (a DNS name or an IP address), signed by this CA.
    pub fn mint(&self, name: &str) -> Result<CertificateDer<'static>, CaError> {
        let fail = |reason: String| CaError::Leaf {
            name: name.to_owned(),
            reason,
        };
        let mut params = CertificateParams::default();
        params.subject_alt_names = vec![match name.parse::<std::net::IpAddr>() {
            Ok(ip) => SanType::IpAddress(ip),
            Err(_) => {
                rustls::pki_types::DnsName::try_from(name)
                    .map_err(|_| fail("it is neither a DNS name nor an IP address".to_owned()))?;
                SanType::DnsName(
                    name.to_owned()
                        .try_into()
                        .map_err(|err: rcgen::Error| fail(err.to_string()))?,
                )
            }
        }];
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, name);
        params.distinguished_name = dn;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.use_authority_key_identifier_extension = true;
        let now = OffsetDateTime::now_utc();
        params.not_before = now - Duration::days(BACKDATE_DAYS);
        params.not_after = now + Duration::days(LEAF_DAYS);
        params.serial_number = Some(serial());
        let cert = params
            .signed_by(&self.leaf_key, &self.issuer)
            .map_err(|err| fail(err.to_string()))?;
        Ok(cert.into())
    }

    /// A TLS server config presenting a fresh leaf for `name`, offering h2 and HTTP/1.1.
    pub fn server_config(&self, name: &str) -> Result<Arc<ServerConfig>, CaError> {
        let leaf = self.mint(name)?;
        let certified = CertifiedKey::new(vec![leaf], self.leaf_signer.clone());
        let mut config = ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(|err| CaError::Leaf {
                name: name.to_owned(),
                reason: err.to_string(),
            })?
            .with_no_client_auth()
            .with_cert_resolver(Arc::new(SingleCertAndKey::from(certified)));
        config.alpn_protocols = ALPN_H2_H1.iter().map(|p| p.to_vec()).collect();
        Ok(Arc::new(config))
    }
}

#[cfg(unix)]
fn check_private(path: &Path) -> Result<(), CaError> {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = std::fs::metadata(path)
        .map_err(|source| CaError::Read {
            path: path.to_owned(),
            source,
        })?
        .permissions()
        .mode()
        & 0o777;
    if mode & 0o077 != 0 {
        return Err(CaError::KeyMode {
            path: path.to_owned(),
            mode,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_path: &Path) -> Result<(), CaError> {
    Ok(())
}

fn random<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    // The system RNG failing is not something a CLI can recover from; a zero serial would
    // still make a valid (if less unique) certificate.
    let _ = ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut bytes);
    bytes
}

/// A positive 128-bit serial (RFC 5280 asks for positive and at most 20 bytes).
fn serial() -> SerialNumber {
    let mut bytes = random::<16>();
    bytes[0] &= 0x7f;
    bytes[0] |= 0x01;
    SerialNumber::from_slice(&bytes)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use rustls::client::danger::ServerCertVerifier as _;

    use super::*;

    #[test]
    fn a_created_ca_loads_and_mints_leaves_that_chain_to_it() {
        let dir = tempfile::tempdir().unwrap();
        let pem = create(dir.path(), false).unwrap();
        assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"));
        assert!(!pem.contains("PRIVATE KEY"));
        let authority = Authority::load(dir.path()).unwrap();
        let mut roots = rustls::RootCertStore::empty();
        roots.add(authority.certificate().clone()).unwrap();
        let verifier = rustls::client::WebPkiServerVerifier::builder_with_provider(
            Arc::new(roots),
            provider(),
        )
        .build()
        .unwrap();
        for name in ["api.openai.com", "127.0.0.1", "::1"] {
            let leaf = authority.mint(name).unwrap();
            let server_name = rustls::pki_types::ServerName::try_from(name.to_owned()).unwrap();
            verifier
                .verify_server_cert(
                    &leaf,
                    &[],
                    &server_name,
                    &[],
                    rustls::pki_types::UnixTime::now(),
                )
                .unwrap_or_else(|err| panic!("{name}: {err}"));
        }
        let other = rustls::pki_types::ServerName::try_from("other.example").unwrap();
        let leaf = authority.mint("api.openai.com").unwrap();
        assert!(
            verifier
                .verify_server_cert(&leaf, &[], &other, &[], rustls::pki_types::UnixTime::now())
                .is_err(),
            "a leaf is valid for its own name only"
        );
    }

    #[test]
    fn an_existing_ca_is_kept_unless_forced() {
        let dir = tempfile::tempdir().unwrap();
        let first = create(dir.path(), false).unwrap();
        let err = create(dir.path(), false).unwrap_err();
        assert!(matches!(err, CaError::Exists { .. }), "{err}");
        assert!(err.hint().unwrap().contains("--force"));
        let second = create(dir.path(), true).unwrap();
        assert_ne!(first, second);
    }

    #[test]
    fn a_missing_ca_says_how_to_make_one() {
        let dir = tempfile::tempdir().unwrap();
        let err = Authority::load(&dir.path().join("nope")).unwrap_err();
        assert!(matches!(err, CaError::Missing { .. }), "{err}");
        assert!(err.hint().unwrap().contains("ca init"));
    }

    #[cfg(unix)]
    #[test]
    fn a_key_others_can_read_is_refused() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        create(dir.path(), false).unwrap();
        let key = dir.path().join(KEY_FILE);
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = Authority::load(dir.path()).unwrap_err();
        assert!(matches!(err, CaError::KeyMode { mode: 0o644, .. }), "{err}");
        assert!(err.hint().unwrap().contains("chmod 600"));
    }

    #[test]
    fn a_certificate_from_another_ca_is_refused() {
        let one = tempfile::tempdir().unwrap();
        let two = tempfile::tempdir().unwrap();
        create(one.path(), false).unwrap();
        create(two.path(), false).unwrap();
        std::fs::copy(two.path().join(CERT_FILE), one.path().join(CERT_FILE)).unwrap();
        let err = Authority::load(one.path()).unwrap_err();
        assert!(err.to_string().contains("does not belong"), "{err}");
    }
}
