//! Ed25519 signing keys for access tokens, kept as PKCS#8 PEM files in one
//! directory: every key verifies, the newest signs. Rotation is adding a key
//! (`tenantry keys rotate`) and, once the old tokens have expired, deleting the
//! old file.

use std::path::{Path, PathBuf};

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use ring::rand::SystemRandom;
use ring::signature::{Ed25519KeyPair, KeyPair};
use sha2::{Digest, Sha256};

const PEM_BEGIN: &str = "-----BEGIN PRIVATE KEY-----";
const PEM_END: &str = "-----END PRIVATE KEY-----";

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("reading or writing {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path} is not an Ed25519 PKCS#8 PEM private key")]
    Malformed { path: PathBuf },
    #[error("a new key could not be generated")]
    Generation,
}

/// One Ed25519 key pair with its key id.
#[derive(Clone)]
pub struct SigningKey {
    /// RFC 7638 thumbprint of the public key: stable, and derived, so it cannot lie.
    pub kid: String,
    pub(crate) pkcs8: Vec<u8>,
    pub(crate) public: Vec<u8>,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey").field("kid", &self.kid).finish_non_exhaustive()
    }
}

impl SigningKey {
    /// A fresh random key.
    ///
    /// # Errors
    /// When the system random source fails.
    pub fn generate() -> Result<Self, KeyError> {
        let document = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).map_err(|_| KeyError::Generation)?;
        Self::from_pkcs8(document.as_ref().to_vec()).ok_or(KeyError::Generation)
    }

    fn from_pkcs8(pkcs8: Vec<u8>) -> Option<Self> {
        let pair = Ed25519KeyPair::from_pkcs8_maybe_unchecked(&pkcs8).ok()?;
        let public = pair.public_key().as_ref().to_vec();
        Some(Self { kid: thumbprint(&public), pkcs8, public })
    }

    /// The public key, base64url (the JWK `x`).
    pub fn public_x(&self) -> String {
        URL_SAFE_NO_PAD.encode(&self.public)
    }

    fn to_pem(&self) -> String {
        let body = STANDARD.encode(&self.pkcs8);
        let lines: Vec<&str> =
            body.as_bytes().chunks(64).map(|chunk| std::str::from_utf8(chunk).unwrap_or_default()).collect();
        format!("{PEM_BEGIN}\n{}\n{PEM_END}\n", lines.join("\n"))
    }

    fn from_pem(text: &str) -> Option<Self> {
        let body: String = text
            .lines()
            .map(str::trim)
            .skip_while(|line| *line != PEM_BEGIN)
            .skip(1)
            .take_while(|line| *line != PEM_END)
            .collect();
        Self::from_pkcs8(STANDARD.decode(body).ok()?)
    }
}

fn thumbprint(public: &[u8]) -> String {
    let canonical = format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{}"}}"#, URL_SAFE_NO_PAD.encode(public));
    URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
}

/// The keys of a directory: all verify, the last (by file name) signs.
#[derive(Debug, Clone)]
pub struct KeyRing {
    keys: Vec<SigningKey>,
}

impl KeyRing {
    /// A ring of the given keys; the last one signs. `None` when empty.
    pub fn new(keys: Vec<SigningKey>) -> Option<Self> {
        (!keys.is_empty()).then_some(Self { keys })
    }

    pub fn signing(&self) -> &SigningKey {
        // `new` refuses an empty ring.
        &self.keys[self.keys.len() - 1]
    }

    pub fn all(&self) -> &[SigningKey] {
        &self.keys
    }

    /// Loads every `*.pem` of `dir`, oldest first; `Ok(None)` when there are none.
    ///
    /// # Errors
    /// An unreadable directory or a file that is not an Ed25519 key.
    pub fn load(dir: &Path) -> Result<Option<Self>, KeyError> {
        let io = |source| KeyError::Io { path: dir.to_owned(), source };
        if !dir.exists() {
            return Ok(None);
        }
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(io)?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|path| path.extension().is_some_and(|ext| ext == "pem"))
            .collect();
        paths.sort();
        let mut keys = Vec::with_capacity(paths.len());
        for path in paths {
            let text = std::fs::read_to_string(&path).map_err(|source| KeyError::Io { path: path.clone(), source })?;
            keys.push(SigningKey::from_pem(&text).ok_or(KeyError::Malformed { path })?);
        }
        Ok(Self::new(keys))
    }

    /// Generates a key into `dir` (owner-only permissions) and returns it; it signs
    /// from the next start on, and the older keys keep verifying.
    ///
    /// # Errors
    /// When the directory or file cannot be written.
    pub fn add_generated(dir: &Path, now: chrono::DateTime<chrono::Utc>) -> Result<SigningKey, KeyError> {
        let key = SigningKey::generate()?;
        std::fs::create_dir_all(dir).map_err(|source| KeyError::Io { path: dir.to_owned(), source })?;
        let path = dir.join(format!("{}-{}.pem", now.format("%Y%m%dT%H%M%S%.6fZ"), &key.kid[..16]));
        write_private(&path, &key.to_pem()).map_err(|source| KeyError::Io { path, source })?;
        Ok(key)
    }
}

fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(contents.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_through_pem_files_and_the_newest_signs() {
        let dir = std::env::temp_dir().join(format!("tenantry-keys-{}", uuid::Uuid::now_v7().simple()));
        assert!(KeyRing::load(&dir).unwrap().is_none());
        let now = chrono::Utc::now();
        let first = KeyRing::add_generated(&dir, now).unwrap();
        let second = KeyRing::add_generated(&dir, now + chrono::Duration::seconds(1)).unwrap();
        let ring = KeyRing::load(&dir).unwrap().unwrap();
        let kids: Vec<&str> = ring.all().iter().map(|k| k.kid.as_str()).collect();
        assert_eq!(kids, [first.kid.as_str(), second.kid.as_str()]);
        assert_eq!(ring.signing().kid, second.kid);
        assert_eq!(ring.signing().public_x(), second.public_x());
        std::fs::write(dir.join("zz-broken.pem"), "not a key").unwrap();
        assert!(matches!(KeyRing::load(&dir), Err(KeyError::Malformed { .. })));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_key_id_is_the_rfc_7638_thumbprint() {
        // RFC 8037 appendix A.3: the thumbprint of its example Ed25519 public key.
        let public = URL_SAFE_NO_PAD.decode("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo").unwrap();
        assert_eq!(thumbprint(&public), "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
    }
}
