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
use jingzhun_domain::audit::AuditEvent;
use jingzhun_store::Store;
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
    /// The database holds sealed values (or has recorded a key) but no key was found: a new
    /// key is never made for it, since nothing sealed before would open.
    #[error(
        "the database holds sealed values (key fingerprint {fingerprint}) but there is no sealing key: \
         no file {path} and no JINGZHUN_SEAL_KEY. Put the key back (from where you keep it apart from \
         the backups) or set JINGZHUN_SEAL_KEY; a new key is not made for a database that has one. \
         / 数据库已有密封数据，但找不到密封密钥：请放回原密钥"
    )]
    KeyMissing { path: String, fingerprint: String },
    /// The key found is not the one the database's sealed values were sealed with.
    #[error(
        "the sealing key (fingerprint {found}) is not this database's key (fingerprint {recorded}): \
         use the key the database was sealed with / 密封密钥与数据库不符"
    )]
    WrongKey { recorded: String, found: String },
    /// The database could not be read or written.
    #[error(transparent)]
    Store(#[from] jingzhun_store::StoreError),
}

/// The platform's sealing key.
pub struct Sealer {
    cipher: XChaCha20Poly1305,
    key: [u8; 32],
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
            key,
        })
    }

    /// A new random key (tests and throw-away databases; nothing sealed with it survives it).
    pub fn generate() -> Self {
        let mut key = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut key);
        Sealer {
            cipher: XChaCha20Poly1305::new(&key.into()),
            key,
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

    /// Where the key file of a database is looked for: beside a SQLite database
    /// (`jingzhun.db.sealkey`), or `jingzhun.sealkey` in the working directory for PostgreSQL.
    pub fn key_file(database: &str) -> String {
        if database.starts_with("postgres://") || database.starts_with("postgresql://") {
            "jingzhun.sealkey".to_string()
        } else {
            format!("{}.sealkey", database.trim_start_matches("sqlite://"))
        }
    }

    /// The key for a database: `JINGZHUN_SEAL_KEY` if set, else the key file (the CLI uses
    /// [`Sealer::key_file`]). The key is checked against the fingerprint the database
    /// recorded; a database without one records it (with an audit entry). A key file is made
    /// only for a database that has neither a recorded key nor sealed values: a missing key is
    /// otherwise refused ([`SealError::KeyMissing`]), a different one too ([`SealError::WrongKey`]).
    pub async fn for_database(
        store: &dyn Store,
        key_file: &Path,
        env_key: Option<&str>,
    ) -> Result<Self, SealError> {
        let recorded = store.seal_key_fingerprint().await?;
        let sealer = if let Some(k) = env_key.filter(|k| !k.trim().is_empty()) {
            Self::from_hex(k)?
        } else {
            let path = key_file;
            if !path.exists() {
                let known = match &recorded {
                    Some(fp) => Some(fp.clone()),
                    None if store.holds_sealed_values().await? => Some("—".to_string()),
                    None => None,
                };
                if let Some(fingerprint) = known {
                    return Err(SealError::KeyMissing {
                        path: path.display().to_string(),
                        fingerprint,
                    });
                }
            }
            Self::load_or_create(path)?
        };
        let found = sealer.fingerprint();
        match recorded {
            Some(recorded) if recorded != found => Err(SealError::WrongKey { recorded, found }),
            Some(_) => Ok(sealer),
            None => {
                let mut tx = store.begin().await?;
                let kept = tx.record_seal_key_fingerprint(&found).await?;
                if kept != found {
                    return Err(SealError::WrongKey {
                        recorded: kept,
                        found,
                    });
                }
                tx.append_audit(&AuditEvent {
                    actor: "system".into(),
                    action: "seal.key_recorded".into(),
                    subject_kind: "seal_key".into(),
                    subject_id: found.clone(),
                    detail: serde_json::json!({ "fingerprint": found }),
                })
                .await?;
                tx.commit().await?;
                Ok(sealer)
            }
        }
    }

    /// A short public fingerprint of the key (16 hex digits of a hash of it, tagged): enough to
    /// tell two keys apart, nothing to rebuild the key from.
    pub fn fingerprint(&self) -> String {
        use sha2::Digest;
        let mut h = sha2::Sha256::new();
        h.update(b"jingzhun seal key fingerprint v1\0");
        h.update(self.key);
        hex::encode(&h.finalize()[..8])
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
