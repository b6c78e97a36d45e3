//! The audit log: every change is an event appended to a hash chain (domain.md §11.2).
//!
//! Each entry holds the SHA-256 of the previous entry (`prev_hash`) and its own `hash`, computed
//! over `prev_hash` and the entry's canonical content. Altering, deleting or reordering any entry
//! breaks the chain at that entry, and [`ChainVerifier`] names the first place it breaks.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// The `prev_hash` of the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What happened, before it is sealed into the chain.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEvent {
    /// Who: `cli:<os user>`, `user:<login>`, `system`.
    pub actor: String,
    /// What, as a dotted verb: `registry.import`, `areas.import`, `registry.export`...
    pub action: String,
    /// The kind of thing acted on: `household`, `import`, `area`...
    pub subject_kind: String,
    pub subject_id: String,
    /// Before/after, or for a bulk change the file digest and counts. Never raw personal data
    /// beyond what the subject already holds.
    pub detail: Value,
}

/// An entry of the chain as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    pub seq: i64,
    /// UTC, RFC 3339 with microseconds (`2026-11-23T10:00:00.000000Z`).
    pub at: String,
    pub actor: String,
    pub action: String,
    pub subject_kind: String,
    pub subject_id: String,
    /// Canonical JSON (keys sorted, no spaces).
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

/// Formats a time the one way the chain stores it.
pub fn format_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// JSON with object keys sorted at every depth and no insignificant white space, so the same
/// value always gives the same text whatever map order serde_json was built with.
pub fn canonical_json(v: &Value) -> String {
    fn write(v: &Value, out: &mut String) {
        match v {
            Value::Object(m) => {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort();
                out.push('{');
                for (i, k) in keys.into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&Value::String(k.clone()).to_string());
                    out.push(':');
                    write(&m[k], out);
                }
                out.push('}');
            }
            Value::Array(a) => {
                out.push('[');
                for (i, x) in a.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write(x, out);
                }
                out.push(']');
            }
            other => out.push_str(&other.to_string()),
        }
    }
    let mut s = String::new();
    write(v, &mut s);
    s
}

/// SHA-256 (hex) over the previous hash and the entry's content.
pub fn entry_hash(prev_hash: &str, e: &AuditEntry) -> String {
    // A JSON array is an unambiguous encoding of the fields, whatever they contain.
    let content = serde_json::json!([
        e.seq,
        e.at,
        e.actor,
        e.action,
        e.subject_kind,
        e.subject_id,
        e.detail
    ]);
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(b"\n");
    h.update(content.to_string().as_bytes());
    hex::encode(h.finalize())
}

impl AuditEvent {
    /// Seals the event as entry `seq`, following the entry whose hash is `prev_hash`.
    pub fn seal(&self, seq: i64, at: DateTime<Utc>, prev_hash: &str) -> AuditEntry {
        let mut e = AuditEntry {
            seq,
            at: format_time(at),
            actor: self.actor.clone(),
            action: self.action.clone(),
            subject_kind: self.subject_kind.clone(),
            subject_id: self.subject_id.clone(),
            detail: canonical_json(&self.detail),
            prev_hash: prev_hash.to_string(),
            hash: String::new(),
        };
        e.hash = entry_hash(prev_hash, &e);
        e
    }
}

/// Where and how the chain breaks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    #[error("entry {seq} was altered: its content does not match its hash")]
    Altered { seq: i64 },
    #[error("entries {from} to {to} are missing (deleted)")]
    Missing { from: i64, to: i64 },
    #[error("entry {seq} is out of order: expected entry {expected}")]
    OutOfOrder { seq: i64, expected: i64 },
    #[error(
        "entry {seq} does not follow the entry before it (an entry before it was altered, deleted or reordered)"
    )]
    Unlinked { seq: i64 },
    #[error(
        "the chain ends at entry {last} but its head says {head}: entries after {last} were deleted"
    )]
    Truncated { last: i64, head: i64 },
    #[error("the chain head hash does not match entry {seq}")]
    HeadMismatch { seq: i64 },
    /// The head published earlier (printed by `audit verify`, kept outside the database) is
    /// not in the chain: the chain was rewritten up to that entry, or cut before it.
    #[error(
        "the published head {seq}:{hash} is not in the chain: the log was rewritten or cut (entries up to {seq} cannot be trusted)"
    )]
    AnchorMismatch { seq: i64, hash: String },
}

/// A chain head as published outside the database: `SEQ:HASH`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    pub seq: i64,
    pub hash: String,
}

impl std::str::FromStr for Anchor {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (seq, hash) = s.trim().split_once(':').ok_or_else(|| {
            format!("{s:?}: give the head as SEQ:HASH, as `audit verify` prints it")
        })?;
        let seq: i64 =
            seq.parse().ok().filter(|n| *n >= 1).ok_or_else(|| {
                format!("{seq:?}: the sequence number must be a whole number ≥ 1")
            })?;
        let hash = hash.to_ascii_lowercase();
        if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!("{hash:?}: the hash must be 64 hexadecimal digits"));
        }
        Ok(Anchor { seq, hash })
    }
}

impl std::fmt::Display for Anchor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.seq, self.hash)
    }
}

/// Checks a chain entry by entry, in storage order (`seq` ascending).
#[derive(Debug)]
pub struct ChainVerifier {
    expected_seq: i64,
    last_hash: String,
    anchor: Option<Anchor>,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        ChainVerifier {
            expected_seq: 1,
            last_hash: GENESIS_HASH.to_string(),
            anchor: None,
        }
    }
}

impl ChainVerifier {
    pub fn new() -> Self {
        Self::default()
    }

    /// Also checks that the chain holds a head published earlier.
    pub fn with_anchor(anchor: Anchor) -> Self {
        ChainVerifier {
            anchor: Some(anchor),
            ..Self::default()
        }
    }

    /// Checks the next entry.
    pub fn push(&mut self, e: &AuditEntry) -> Result<(), ChainBreak> {
        if entry_hash(&e.prev_hash, e) != e.hash {
            return Err(ChainBreak::Altered { seq: e.seq });
        }
        if e.seq > self.expected_seq {
            return Err(ChainBreak::Missing {
                from: self.expected_seq,
                to: e.seq - 1,
            });
        }
        if e.seq < self.expected_seq {
            return Err(ChainBreak::OutOfOrder {
                seq: e.seq,
                expected: self.expected_seq,
            });
        }
        if e.prev_hash != self.last_hash {
            return Err(ChainBreak::Unlinked { seq: e.seq });
        }
        if let Some(a) = &self.anchor
            && a.seq == e.seq
            && a.hash != e.hash
        {
            return Err(ChainBreak::AnchorMismatch {
                seq: a.seq,
                hash: a.hash.clone(),
            });
        }
        self.expected_seq += 1;
        self.last_hash = e.hash.clone();
        Ok(())
    }

    /// Checks the end of the chain against the stored head (last sequence number and hash).
    /// Returns how many entries were checked.
    pub fn finish(self, head: Option<(i64, &str)>) -> Result<i64, ChainBreak> {
        let last = self.expected_seq - 1;
        if let Some(a) = &self.anchor
            && a.seq > last
        {
            return Err(ChainBreak::AnchorMismatch {
                seq: a.seq,
                hash: a.hash.clone(),
            });
        }
        if let Some((head_seq, head_hash)) = head {
            if head_seq > last {
                return Err(ChainBreak::Truncated {
                    last,
                    head: head_seq,
                });
            }
            if head_seq == last && head_hash != self.last_hash {
                return Err(ChainBreak::HeadMismatch { seq: last });
            }
        }
        Ok(last)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn verify_anchored(entries: &[AuditEntry], anchor: Anchor) -> Result<i64, ChainBreak> {
        let mut v = ChainVerifier::with_anchor(anchor);
        for e in entries {
            v.push(e)?;
        }
        let last = entries.last().map(|e| (e.seq, e.hash.as_str()));
        v.finish(last)
    }

    #[test]
    fn a_published_head_catches_a_chain_rewritten_consistently() {
        let good = chain(5);
        let anchor = Anchor {
            seq: 3,
            hash: good[2].hash.clone(),
        };
        assert_eq!(verify_anchored(&good, anchor.clone()), Ok(5));
        assert_eq!(anchor.to_string().parse::<Anchor>(), Ok(anchor.clone()));
        // Rewritten: entry 2 changed and every hash after it recomputed, so the chain itself
        // is consistent; only the published head tells.
        let mut forged = good.clone();
        forged[1].detail = r#"{"role":"admin"}"#.into();
        let mut prev = forged[0].hash.clone();
        for e in forged.iter_mut().skip(1) {
            e.prev_hash = prev.clone();
            e.hash = entry_hash(&prev, e);
            prev = e.hash.clone();
        }
        let mut plain = ChainVerifier::new();
        for e in &forged {
            plain.push(e).unwrap();
        }
        assert_eq!(
            plain.finish(None),
            Ok(5),
            "without the anchor it looks intact"
        );
        assert!(matches!(
            verify_anchored(&forged, anchor.clone()),
            Err(ChainBreak::AnchorMismatch { seq: 3, .. })
        ));
        // Cut before the published head.
        assert!(matches!(
            verify_anchored(&good[..2], anchor),
            Err(ChainBreak::AnchorMismatch { seq: 3, .. })
        ));
        for bad in [
            "",
            "3",
            "x:abc",
            "0:00",
            "3:xyz",
            &format!("3:{}", "g".repeat(64)),
        ] {
            assert!(bad.parse::<Anchor>().is_err(), "{bad:?}");
        }
    }

    fn chain(n: i64) -> Vec<AuditEntry> {
        let mut prev = GENESIS_HASH.to_string();
        (1..=n)
            .map(|seq| {
                let ev = AuditEvent {
                    actor: "cli:test".into(),
                    action: "registry.import".into(),
                    subject_kind: "import".into(),
                    subject_id: seq.to_string(),
                    detail: serde_json::json!({"households": seq, "digest": "ab"}),
                };
                let at = Utc
                    .with_ymd_and_hms(2026, 11, 23, 10, 0, seq as u32 % 60)
                    .unwrap();
                let e = ev.seal(seq, at, &prev);
                prev = e.hash.clone();
                e
            })
            .collect()
    }

    fn verify(entries: &[AuditEntry], head: Option<(i64, &str)>) -> Result<i64, ChainBreak> {
        let mut v = ChainVerifier::new();
        for e in entries {
            v.push(e)?;
        }
        v.finish(head)
    }

    #[test]
    fn an_untouched_chain_verifies() {
        let c = chain(5);
        assert_eq!(verify(&c, Some((5, &c[4].hash))), Ok(5));
        assert_eq!(verify(&[], None), Ok(0));
    }

    #[test]
    fn an_altered_entry_is_named() {
        let mut c = chain(5);
        c[2].detail = r#"{"digest":"ab","households":999}"#.into();
        assert_eq!(verify(&c, None), Err(ChainBreak::Altered { seq: 3 }));
    }

    #[test]
    fn an_altered_entry_whose_hash_was_recomputed_breaks_the_next_link() {
        let mut c = chain(5);
        c[2].actor = "someone else".into();
        c[2].hash = entry_hash(&c[2].prev_hash, &c[2]);
        assert_eq!(verify(&c, None), Err(ChainBreak::Unlinked { seq: 4 }));
    }

    #[test]
    fn a_deleted_entry_is_named() {
        let mut c = chain(5);
        c.remove(1);
        assert_eq!(
            verify(&c, None),
            Err(ChainBreak::Missing { from: 2, to: 2 })
        );
    }

    #[test]
    fn swapped_entries_are_caught() {
        let mut c = chain(5);
        c.swap(1, 2);
        assert_eq!(
            verify(&c, None),
            Err(ChainBreak::Missing { from: 2, to: 2 })
        );
        // Swapping contents but keeping the sequence numbers in place.
        let mut c = chain(5);
        let (a, b) = (c[1].clone(), c[2].clone());
        c[1] = AuditEntry { seq: 2, ..b };
        c[2] = AuditEntry { seq: 3, ..a };
        assert_eq!(verify(&c, None), Err(ChainBreak::Altered { seq: 2 }));
    }

    #[test]
    fn deleting_the_last_entries_is_caught_by_the_head() {
        let c = chain(5);
        let head = (5, c[4].hash.as_str());
        assert_eq!(
            verify(&c[..3], Some(head)),
            Err(ChainBreak::Truncated { last: 3, head: 5 })
        );
    }

    #[test]
    fn canonical_json_sorts_keys_at_every_depth() {
        let v = serde_json::json!({"b": 1, "a": {"z": [1, {"y": 2, "x": 3}], "c": "中"}});
        assert_eq!(
            canonical_json(&v),
            r#"{"a":{"c":"中","z":[1,{"x":3,"y":2}]},"b":1}"#
        );
    }

    proptest! {
        #[test]
        fn tampering_with_any_field_of_any_entry_is_detected(
            which in 0usize..6, field in 0usize..6, text in "[a-z]{1,8}"
        ) {
            let mut c = chain(6);
            let e = &mut c[which];
            let target = match field {
                0 => &mut e.at, 1 => &mut e.actor, 2 => &mut e.action,
                3 => &mut e.subject_kind, 4 => &mut e.subject_id, _ => &mut e.detail,
            };
            prop_assume!(*target != text);
            *target = text;
            prop_assert_eq!(verify(&c, None), Err(ChainBreak::Altered { seq: which as i64 + 1 }));
        }
    }
}
