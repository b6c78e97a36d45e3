//! Sealing (domain.md §6: the complainant's identity is sealed; draws keep their seed secret
//! until revealed): authenticated encryption at rest with XChaCha20-Poly1305 under the
//! platform's sealing key. Each sealed value is bound to its record (`aad`), so a ciphertext
//! moved to another record does not open. The key never appears in `Debug` or logs.
//!
//! The key comes from `JINGZHUN_SEAL_KEY` (64 hex digits) or a key file (created with mode
//! 0600 on first use, beside the SQLite database by default). Losing the key loses every
//! sealed value; back it up with the database, but not in the same place.

use std::path::Path;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use jingzhun_store::supervision::SealedRow;
use rand::RngCore;

/// Why a key could not be had or a value not opened.
#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("the sealing key must be 64 hexadecimal digits")]
    BadKey,
    #[error("cannot read or create the sealing key file {path}: {source}")]
    KeyFile {
        path: String,
        source: std::io::Error,
    },
    /// Wrong key, altered ciphertext, or a value of another record.
    #[error("a sealed value does not open with this key")]
    DoesNotOpen,
}

/// The platform's sealing key.
pub struct Sealer {
    cipher: XChaCha20Poly1305,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(<key hidden>)")
    }
}

impl Sealer {
    /// A key from 64 hex digits.
    pub fn from_hex(text: &str) -> Result<Self, SealError> {
        let bytes = hex::decode(text.trim()).map_err(|_| SealError::BadKey)?;
        let key: [u8; 32] = bytes.try_into().map_err(|_| SealError::BadKey)?;
        Ok(Sealer {
            cipher: XChaCha20Poly1305::new(&key.into()),
        })
    }

    /// A new random key (tests and throw-away databases; nothing sealed with it survives it).
    pub fn generate() -> Self {
        let mut key = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut key);
        Sealer {
            cipher: XChaCha20Poly1305::new(&key.into()),
        }
    }

    /// The key in a file, created (random, mode 0600) when the file does not exist.
    pub fn load_or_create(path: &Path) -> Result<Self, SealError> {
        let io = |source| SealError::KeyFile {
            path: path.display().to_string(),
            source,
        };
        match std::fs::read_to_string(path) {
            Ok(text) => Self::from_hex(&text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut key = [0u8; 32];
                rand::rngs::OsRng.fill_bytes(&mut key);
                let text = hex::encode(key);
                write_private(path, text.as_bytes()).map_err(io)?;
                Self::from_hex(&text)
            }
            Err(e) => Err(io(e)),
        }
    }

    /// The key for a database: `JINGZHUN_SEAL_KEY` if set, else the key file beside a SQLite
    /// database (`jingzhun.db.sealkey`), or `jingzhun.sealkey` in the working directory for
    /// PostgreSQL.
    pub fn for_database(database: &str, env_key: Option<&str>) -> Result<Self, SealError> {
        if let Some(k) = env_key.filter(|k| !k.trim().is_empty()) {
            return Self::from_hex(k);
        }
        let file = if database.starts_with("postgres://") || database.starts_with("postgresql://") {
            "jingzhun.sealkey".to_string()
        } else {
            format!("{}.sealkey", database.trim_start_matches("sqlite://"))
        };
        Self::load_or_create(Path::new(&file))
    }

    /// Seals `plain` for the record named by `aad`.
    pub fn seal(&self, plain: &[u8], aad: &str) -> SealedRow {
        let mut nonce = [0u8; 24];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let ciphertext = self
            .cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plain,
                    aad: aad.as_bytes(),
                },
            )
            // Encryption fails only for inputs of more than 256 GiB.
            .unwrap_or_default();
        SealedRow {
            nonce: hex::encode(nonce),
            ciphertext: hex::encode(ciphertext),
        }
    }

    /// Opens a value sealed for the record named by `aad`.
    pub fn open(&self, row: &SealedRow, aad: &str) -> Result<Vec<u8>, SealError> {
        let nonce = hex::decode(&row.nonce).map_err(|_| SealError::DoesNotOpen)?;
        let ciphertext = hex::decode(&row.ciphertext).map_err(|_| SealError::DoesNotOpen)?;
        if nonce.len() != 24 {
            return Err(SealError::DoesNotOpen);
        }
        self.cipher
            .decrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: &ciphertext,
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| SealError::DoesNotOpen)
    }
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_value_opens_only_with_its_key_and_for_its_record() {
        let a = Sealer::generate();
        let b = Sealer::generate();
        let row = a.seal("张三 13800000000".as_bytes(), "complaint:1");
        assert!(
            !row.ciphertext.contains(&hex::encode("张三")),
            "no plaintext at rest"
        );
        assert_eq!(
            a.open(&row, "complaint:1").unwrap(),
            "张三 13800000000".as_bytes()
        );
        assert!(matches!(
            a.open(&row, "complaint:2"),
            Err(SealError::DoesNotOpen)
        ));
        assert!(matches!(
            b.open(&row, "complaint:1"),
            Err(SealError::DoesNotOpen)
        ));
        let mut altered = row.clone();
        altered.ciphertext.replace_range(0..2, "00");
        if altered != row {
            assert!(a.open(&altered, "complaint:1").is_err());
        }
        assert_ne!(
            a.seal(b"x", "k").nonce,
            a.seal(b"x", "k").nonce,
            "fresh nonces"
        );
        assert_eq!(format!("{a:?}"), "Sealer(<key hidden>)");
    }

    #[test]
    fn a_key_file_is_created_once_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k");
        let first = Sealer::load_or_create(&path).unwrap();
        let row = first.seal(b"secret", "r");
        let again = Sealer::load_or_create(&path).unwrap();
        assert_eq!(again.open(&row, "r").unwrap(), b"secret");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "nobody else reads the key");
        }
        assert!(matches!(Sealer::from_hex("abc"), Err(SealError::BadKey)));
        std::fs::write(dir.path().join("bad"), "zz").unwrap();
        assert!(Sealer::load_or_create(&dir.path().join("bad")).is_err());
    }
}
