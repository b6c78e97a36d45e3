//! Verifiable random draws (随机抽取) for unannounced visits (暗访) and third-party samples
//! (第三方评估抽样), domain.md §6 and §10: villages and households are chosen by a draw that
//! nobody can steer or learn in advance ("不发通知、不打招呼……直奔基层、直插现场").
//!
//! The scheme is commit-reveal:
//!
//! 1. Before the visit, the organiser picks a secret 32-byte [`Seed`] (from the operating
//!    system's randomness, or [`Seed::derive`] over bytes of their choosing) and publishes the
//!    [`Commitment`] of [`commit`]: the SHA-256 of the seed *and* the canonical text of the
//!    [`DrawSpec`] (purpose, frame, sizes). The commitment fixes both: neither the seed nor the
//!    frame can be changed afterwards without the commitment failing.
//! 2. The sample is [`draw`]n from the seed and the spec; only the team knows it.
//! 3. After the visit, the seed is revealed. Anyone holding the spec's canonical text
//!    ([`DrawSpec::canonical_text`], which [`DrawSpec::parse`] reads back) runs [`verify`]: the
//!    seed and spec must give the published commitment, and re-running the draw must give the
//!    claimed sample.
//!
//! # What is hashed
//!
//! The commitment is the lower-case hex SHA-256 of the UTF-8 text
//!
//! ```text
//! jingzhun.draw.commitment.v1\n
//! seed:<the 32 seed bytes as 64 lower-case hex digits>\n
//! spec:<DrawSpec::canonical_text()>
//! ```
//!
//! (three lines, the last without a trailing new line). The canonical text is JSON with keys
//! sorted at every depth and no white space ([`crate::audit::canonical_json`]), holding
//! `format` (`"jingzhun.draw.v1"`), `purpose`, `design` and `frame`; ids and stratum keys are
//! trimmed and the frame is sorted by (stratum, id), so the order the candidates came in does not
//! matter.
//!
//! # The algorithm
//!
//! The frame is split into groups: one per stratum, in the byte order of the stratum keys (a
//! simple design has a single group without a key). Within a group the ids are sorted in byte
//! order. One ChaCha20 stream is started from the seed (`rand_chacha::ChaCha20Rng::from_seed`)
//! and used for all groups in turn. For each group of `n` ids, of which `k` are wanted, a
//! partial Fisher-Yates shuffle runs: for `i` in `0..k`, take `j = i + u(n - i)` and swap the
//! ids at `i` and `j`; the sample of the group is the first `k` ids, in the order drawn.
//!
//! `u(m)`, a uniform integer in `0..m`, takes the next 64-bit word `x` of the stream (`next_u64`:
//! two 32-bit words, little-endian) and returns `x mod m` if `x < m * floor((2^64 - 1) / m)`,
//! otherwise discards `x` and takes the next word (rejection sampling, so no remainder bias).
//! This is written out here, rather than delegated to `rand`'s `gen_range`, so that the draw is
//! reproducible from this description alone and does not change with a library version.

use std::collections::BTreeMap;
use std::fmt;

use rand::RngCore;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::area::{AreaCode, AreaLevel};
use crate::audit::canonical_json;

/// The seed's length in bytes.
pub const SEED_LEN: usize = 32;
/// The `format` field of a spec's canonical text.
pub const SPEC_FORMAT: &str = "jingzhun.draw.v1";
/// The first line of the text a commitment hashes.
const COMMITMENT_HEADER: &str = "jingzhun.draw.commitment.v1";
/// The prefix of the text [`Seed::derive`] hashes.
const DERIVE_HEADER: &str = "jingzhun.draw.seed.v1\n";
/// The longest purpose text, in characters.
pub const MAX_PURPOSE: usize = 200;
/// The longest id or stratum key, in characters.
pub const MAX_ID: usize = 64;

/// Why a draw, a seed or a commitment was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "refusal", rename_all = "snake_case")]
pub enum DrawError {
    #[error("the frame is empty: there is nothing to draw from")]
    EmptyFrame,
    #[error("the id {id:?} appears more than once in the frame")]
    DuplicateId { id: String },
    #[error("an id is empty, longer than {MAX_ID} characters or holds a control character: {id:?}")]
    BadId { id: String },
    #[error(
        "a stratum key is empty, longer than {MAX_ID} characters or holds a control character: {stratum:?}"
    )]
    BadStratum { stratum: String },
    #[error("the purpose is required and at most {MAX_PURPOSE} characters")]
    BadPurpose,
    #[error("a sample size of 0 was asked{}", in_stratum(.stratum))]
    ZeroSize { stratum: Option<String> },
    #[error("{wanted} wanted{} but only {available} to draw from", in_stratum(.stratum))]
    TooFew {
        stratum: Option<String>,
        wanted: u32,
        available: usize,
    },
    #[error("a stratified draw needs at least one stratum")]
    NoStrata,
    #[error("the candidate {id:?} has no stratum, in a stratified draw")]
    MissingStratum { id: String },
    #[error("the candidate {id:?} has a stratum, in a draw without strata")]
    UnexpectedStratum { id: String },
    #[error("the frame holds stratum {stratum:?}, for which no sample size is given")]
    StratumWithoutSize { stratum: String },
    #[error("a seed is {expected} bytes ({} hex digits), found {found} hex digits", expected * 2)]
    SeedLength { expected: usize, found: usize },
    #[error("not hexadecimal: {what}")]
    NotHex { what: String },
    #[error("a commitment is 64 hex digits")]
    BadCommitment,
    #[error("the area {code} is not below the {level} level")]
    AreaNotBelow { code: String, level: String },
    #[error("the spec text cannot be read: {why}")]
    BadSpecText { why: String },
}

fn in_stratum(s: &Option<String>) -> String {
    s.as_ref()
        .map(|s| format!(" in stratum {s:?}"))
        .unwrap_or_default()
}

impl DrawError {
    /// The Chinese message.
    pub fn zh(&self) -> String {
        let at = |s: &Option<String>| {
            s.as_ref()
                .map(|s| format!("（分层“{s}”）"))
                .unwrap_or_default()
        };
        match self {
            DrawError::EmptyFrame => "抽样框为空，无可抽取对象".into(),
            DrawError::DuplicateId { id } => format!("抽样框中“{id}”重复出现"),
            DrawError::BadId { id } => {
                format!("编号“{id}”为空、超过{MAX_ID}个字符或含控制字符")
            }
            DrawError::BadStratum { stratum } => {
                format!("分层名“{stratum}”为空、超过{MAX_ID}个字符或含控制字符")
            }
            DrawError::BadPurpose => format!("须填写抽样用途，且不超过{MAX_PURPOSE}个字符"),
            DrawError::ZeroSize { stratum } => format!("样本量不能为 0{}", at(stratum)),
            DrawError::TooFew {
                stratum,
                wanted,
                available,
            } => format!(
                "需抽取 {wanted} 个，但只有 {available} 个可抽{}",
                at(stratum)
            ),
            DrawError::NoStrata => "分层抽样至少须有一个分层".into(),
            DrawError::MissingStratum { id } => format!("分层抽样中“{id}”未注明所属分层"),
            DrawError::UnexpectedStratum { id } => {
                format!("不分层的抽样中“{id}”却注明了分层")
            }
            DrawError::StratumWithoutSize { stratum } => {
                format!("抽样框含分层“{stratum}”，但未给出该层样本量")
            }
            DrawError::SeedLength { expected, found } => format!(
                "种子应为 {expected} 字节（{} 位十六进制），实际为 {found} 位",
                expected * 2
            ),
            DrawError::NotHex { what } => format!("{what}不是十六进制"),
            DrawError::BadCommitment => "承诺值应为 64 位十六进制".into(),
            DrawError::AreaNotBelow { code, level } => {
                format!("区划 {code} 不在{level}之下")
            }
            DrawError::BadSpecText { why } => format!("抽样方案文本无法读取：{why}"),
        }
    }
}

/// The secret seed of a draw: 32 bytes, revealed only after the draw has been used. Its
/// `Debug` form does not show the bytes, so it does not leak into logs by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Seed([u8; SEED_LEN]);

impl fmt::Debug for Seed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Seed(..)")
    }
}

impl Seed {
    /// A seed from its bytes (the caller draws them from the operating system).
    pub fn from_bytes(bytes: [u8; SEED_LEN]) -> Seed {
        Seed(bytes)
    }

    /// Reads a revealed seed: exactly 64 hex digits (white space around is ignored).
    pub fn from_hex(text: &str) -> Result<Seed, DrawError> {
        let t = text.trim();
        let found = t.chars().count();
        if found != SEED_LEN * 2 {
            return Err(DrawError::SeedLength {
                expected: SEED_LEN,
                found,
            });
        }
        let mut bytes = [0u8; SEED_LEN];
        hex::decode_to_slice(t, &mut bytes).map_err(|_| DrawError::NotHex {
            what: "the seed".into(),
        })?;
        Ok(Seed(bytes))
    }

    /// The seed as 64 lower-case hex digits (what is revealed).
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    pub fn as_bytes(&self) -> &[u8; SEED_LEN] {
        &self.0
    }

    /// Derives a seed from any bytes: the SHA-256 of `jingzhun.draw.seed.v1\n` followed by
    /// `material`. The material must itself be secret and unpredictable (e.g. 32 bytes of the
    /// operating system's randomness, or several officials' contributions concatenated); this
    /// function adds no randomness of its own.
    pub fn derive(material: &[u8]) -> Seed {
        let mut h = Sha256::new();
        h.update(DERIVE_HEADER.as_bytes());
        h.update(material);
        Seed(h.finalize().into())
    }
}

/// One unit of the frame: a village code, a household number... and, for a stratified draw,
/// the stratum it belongs to (e.g. its township).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Candidate {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stratum: Option<String>,
}

impl Candidate {
    pub fn new(id: &str) -> Candidate {
        Candidate {
            id: id.to_string(),
            stratum: None,
        }
    }

    pub fn in_stratum(id: &str, stratum: &str) -> Candidate {
        Candidate {
            id: id.to_string(),
            stratum: Some(stratum.to_string()),
        }
    }
}

/// Builds a frame of areas stratified by their ancestor at `level`: villages by township, for
/// instance. The stratum key is the ancestor's 12-digit code. Refused if an area is not below
/// `level`.
pub fn candidates_by_area(
    codes: &[AreaCode],
    level: AreaLevel,
) -> Result<Vec<Candidate>, DrawError> {
    codes
        .iter()
        .map(|c| {
            if c.level() <= level {
                return Err(DrawError::AreaNotBelow {
                    code: c.as_str().into(),
                    level: level.zh().into(),
                });
            }
            let prefix = &c.as_str()[..level.digits()];
            let key = format!("{prefix:0<12}");
            Ok(Candidate::in_stratum(c.as_str(), &key))
        })
        .collect()
}

/// How many to draw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Design {
    /// `size` from the whole frame; no candidate has a stratum.
    Simple { size: u32 },
    /// `size` from each stratum; every candidate has a stratum, and every stratum of the frame
    /// has a size (a stratum of the frame left out would be in the frame without any chance of
    /// being drawn, which is refused rather than silently ignored).
    Stratified { sizes: BTreeMap<String, u32> },
}

/// What is drawn, from what: the text the commitment binds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawSpec {
    /// What the draw is for ("2026年第二季度暗访 大安区 抽取村").
    pub purpose: String,
    pub frame: Vec<Candidate>,
    pub design: Design,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SpecFile {
    format: String,
    purpose: String,
    frame: Vec<Candidate>,
    design: Design,
}

/// A group of the frame, normalised: (stratum, sorted ids, size wanted).
struct Group {
    stratum: Option<String>,
    ids: Vec<String>,
    size: u32,
}

fn key_ok(t: &str) -> bool {
    let n = t.chars().count();
    n > 0 && n <= MAX_ID && !t.chars().any(char::is_control)
}

impl DrawSpec {
    /// The spec with ids and keys trimmed and the frame sorted by (stratum, id): the form the
    /// commitment and the draw use.
    pub fn normalised(&self) -> DrawSpec {
        let mut frame: Vec<Candidate> = self
            .frame
            .iter()
            .map(|c| Candidate {
                id: c.id.trim().to_string(),
                stratum: c.stratum.as_ref().map(|s| s.trim().to_string()),
            })
            .collect();
        frame.sort_by(|a, b| (&a.stratum, &a.id).cmp(&(&b.stratum, &b.id)));
        let design = match &self.design {
            Design::Simple { size } => Design::Simple { size: *size },
            Design::Stratified { sizes } => Design::Stratified {
                sizes: sizes
                    .iter()
                    .map(|(k, v)| (k.trim().to_string(), *v))
                    .collect(),
            },
        };
        DrawSpec {
            purpose: self.purpose.trim().to_string(),
            frame,
            design,
        }
    }

    /// The canonical text (see the module documentation): what a commitment hashes and what a
    /// file for a later `draw verify` holds.
    pub fn canonical_text(&self) -> String {
        let n = self.normalised();
        let value = serde_json::json!({
            "format": SPEC_FORMAT,
            "purpose": n.purpose,
            "frame": n.frame,
            "design": n.design,
        });
        canonical_json(&value)
    }

    /// Reads a spec from its canonical text (or any JSON of the same shape), and checks it.
    pub fn parse(text: &str) -> Result<DrawSpec, DrawError> {
        let f: SpecFile = serde_json::from_str(text)
            .map_err(|e| DrawError::BadSpecText { why: e.to_string() })?;
        if f.format != SPEC_FORMAT {
            return Err(DrawError::BadSpecText {
                why: format!("format {:?}, expected {SPEC_FORMAT:?}", f.format),
            });
        }
        let spec = DrawSpec {
            purpose: f.purpose,
            frame: f.frame,
            design: f.design,
        }
        .normalised();
        spec.groups()?;
        Ok(spec)
    }

    /// The SHA-256 (hex) of the canonical text alone, to publish with the commitment so that
    /// anyone can later check the frame they are shown is the one committed to.
    pub fn digest(&self) -> String {
        hex::encode(Sha256::digest(self.canonical_text().as_bytes()))
    }

    /// Checks the spec and splits it into its groups, in draw order.
    fn groups(&self) -> Result<Vec<Group>, DrawError> {
        let n = self.normalised();
        let purpose_len = n.purpose.chars().count();
        if purpose_len == 0 || purpose_len > MAX_PURPOSE || n.purpose.chars().any(char::is_control)
        {
            return Err(DrawError::BadPurpose);
        }
        if n.frame.is_empty() {
            return Err(DrawError::EmptyFrame);
        }
        let mut seen: BTreeMap<&str, ()> = BTreeMap::new();
        for c in &n.frame {
            if !key_ok(&c.id) {
                return Err(DrawError::BadId { id: c.id.clone() });
            }
            if let Some(s) = &c.stratum
                && !key_ok(s)
            {
                return Err(DrawError::BadStratum { stratum: s.clone() });
            }
            if seen.insert(&c.id, ()).is_some() {
                return Err(DrawError::DuplicateId { id: c.id.clone() });
            }
        }
        match &n.design {
            Design::Simple { size } => {
                if let Some(c) = n.frame.iter().find(|c| c.stratum.is_some()) {
                    return Err(DrawError::UnexpectedStratum { id: c.id.clone() });
                }
                let mut ids: Vec<String> = n.frame.iter().map(|c| c.id.clone()).collect();
                ids.sort();
                check_size(None, *size, ids.len())?;
                Ok(vec![Group {
                    stratum: None,
                    ids,
                    size: *size,
                }])
            }
            Design::Stratified { sizes } => {
                if sizes.is_empty() {
                    return Err(DrawError::NoStrata);
                }
                // Two keys that differ only by white space would have merged when trimmed.
                if let Design::Stratified { sizes: given } = &self.design
                    && given.len() != sizes.len()
                {
                    let mut trimmed: Vec<&str> = given.keys().map(|k| k.trim()).collect();
                    trimmed.sort_unstable();
                    let dup = trimmed
                        .windows(2)
                        .find(|w| w[0] == w[1])
                        .map_or("", |w| w[0]);
                    return Err(DrawError::BadStratum {
                        stratum: dup.to_string(),
                    });
                }
                let mut by: BTreeMap<&str, Vec<String>> = BTreeMap::new();
                for c in &n.frame {
                    let Some(s) = &c.stratum else {
                        return Err(DrawError::MissingStratum { id: c.id.clone() });
                    };
                    if !sizes.contains_key(s) {
                        return Err(DrawError::StratumWithoutSize { stratum: s.clone() });
                    }
                    by.entry(s).or_default().push(c.id.clone());
                }
                let mut groups = Vec::with_capacity(sizes.len());
                for (key, size) in sizes {
                    if !key_ok(key) {
                        return Err(DrawError::BadStratum {
                            stratum: key.clone(),
                        });
                    }
                    let mut ids = by.remove(key.as_str()).unwrap_or_default();
                    ids.sort();
                    check_size(Some(key), *size, ids.len())?;
                    groups.push(Group {
                        stratum: Some(key.clone()),
                        ids,
                        size: *size,
                    });
                }
                Ok(groups)
            }
        }
    }
}

fn check_size(stratum: Option<&String>, size: u32, available: usize) -> Result<(), DrawError> {
    if size == 0 {
        return Err(DrawError::ZeroSize {
            stratum: stratum.cloned(),
        });
    }
    if usize::try_from(size).map_or(true, |s| s > available) {
        return Err(DrawError::TooFew {
            stratum: stratum.cloned(),
            wanted: size,
            available,
        });
    }
    Ok(())
}

/// The published commitment: 64 lower-case hex digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Commitment(String);

impl Commitment {
    /// Reads a published commitment (64 hex digits, either case).
    pub fn parse(text: &str) -> Result<Commitment, DrawError> {
        let t = text.trim();
        if t.len() != 64 || !t.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(DrawError::BadCommitment);
        }
        Ok(Commitment(t.to_ascii_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Commitment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The text a commitment hashes (see the module documentation).
pub fn commitment_text(seed: &Seed, spec: &DrawSpec) -> String {
    format!(
        "{COMMITMENT_HEADER}\nseed:{}\nspec:{}",
        seed.to_hex(),
        spec.canonical_text()
    )
}

/// The commitment to publish before the draw is used. Refused if the spec cannot be drawn
/// (committing to a draw that cannot run would only be found out at the reveal).
pub fn commit(seed: &Seed, spec: &DrawSpec) -> Result<Commitment, DrawError> {
    spec.groups()?;
    Ok(Commitment(hex::encode(Sha256::digest(
        commitment_text(seed, spec).as_bytes(),
    ))))
}

/// The ids drawn in one stratum (or in the whole frame), in the order drawn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SampleGroup {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stratum: Option<String>,
    pub ids: Vec<String>,
}

/// The result of a draw: one group per stratum, in the strata's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sample {
    pub groups: Vec<SampleGroup>,
}

impl Sample {
    /// How many were drawn in all.
    pub fn len(&self) -> usize {
        self.groups.iter().map(|g| g.ids.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every (stratum, id) drawn.
    pub fn drawn(&self) -> impl Iterator<Item = Drawn> + '_ {
        self.groups.iter().flat_map(|g| {
            g.ids.iter().map(|id| Drawn {
                stratum: g.stratum.clone(),
                id: id.clone(),
            })
        })
    }
}

/// One unit of a sample, with its stratum.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Drawn {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stratum: Option<String>,
    pub id: String,
}

/// A uniform integer in `0..m` (`m > 0`) from the stream, by rejection (module documentation).
fn uniform(rng: &mut ChaCha20Rng, m: u64) -> u64 {
    let m = m.max(1);
    let zone = (u64::MAX / m) * m;
    loop {
        let x = rng.next_u64();
        if x < zone {
            return x % m;
        }
    }
}

/// Draws the sample (module documentation: partial Fisher-Yates per stratum, strata in sorted
/// order, one ChaCha20 stream). The same seed and spec give the same sample, whatever order
/// the frame was given in.
pub fn draw(seed: &Seed, spec: &DrawSpec) -> Result<Sample, DrawError> {
    let groups = spec.groups()?;
    let mut rng = ChaCha20Rng::from_seed(seed.0);
    let mut out = Vec::with_capacity(groups.len());
    for g in groups {
        let mut pool = g.ids;
        let n = pool.len();
        // `check_size` ensured 0 < size <= n.
        let k = usize::try_from(g.size).unwrap_or(n).min(n);
        for i in 0..k {
            let span = (n - i) as u64;
            let j = i + usize::try_from(uniform(&mut rng, span)).unwrap_or(0);
            pool.swap(i, j);
        }
        pool.truncate(k);
        out.push(SampleGroup {
            stratum: g.stratum,
            ids: pool,
        });
    }
    Ok(Sample { groups: out })
}

/// What [`verify`] found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    /// The revealed seed and the spec give the published commitment. `false` means the seed is
    /// not the one committed to, or the spec (purpose, frame or sizes) was changed since.
    pub commitment_matches: bool,
    /// Why the spec cannot be drawn, if it cannot.
    pub spec_refused: Option<DrawError>,
    /// Re-running the draw gives the claimed sample (per stratum; the order within a stratum
    /// is not compared, and a unit claimed twice counts as unexpected).
    pub sample_matches: bool,
    /// Drawn by the re-run but missing from the claimed sample.
    pub missing: Vec<Drawn>,
    /// In the claimed sample but not drawn by the re-run (or in another stratum, or twice).
    pub unexpected: Vec<Drawn>,
    /// The sample the re-run gives.
    pub expected: Option<Sample>,
}

impl Verification {
    /// Whether the draw is proven: the commitment holds and the sample is the one drawn.
    pub fn is_valid(&self) -> bool {
        self.commitment_matches && self.sample_matches && self.spec_refused.is_none()
    }
}

/// Checks a revealed draw: that the seed and spec give the commitment, and that re-running the
/// draw gives the claimed sample (and what differs, if not).
pub fn verify(
    revealed: &Seed,
    spec: &DrawSpec,
    commitment: &Commitment,
    claimed: &Sample,
) -> Verification {
    let recomputed = commit(revealed, spec);
    let commitment_matches = recomputed.as_ref().is_ok_and(|c| c == commitment);
    match draw(revealed, spec) {
        Err(e) => Verification {
            commitment_matches,
            spec_refused: Some(e),
            sample_matches: false,
            missing: Vec::new(),
            unexpected: claimed.drawn().collect(),
            expected: None,
        },
        Ok(expected) => {
            let mut want: BTreeMap<Drawn, usize> = BTreeMap::new();
            for d in expected.drawn() {
                *want.entry(d).or_default() += 1;
            }
            let mut unexpected = Vec::new();
            for d in claimed.drawn() {
                match want.get_mut(&d) {
                    Some(n) if *n > 0 => *n -= 1,
                    _ => unexpected.push(d),
                }
            }
            let missing: Vec<Drawn> = want
                .into_iter()
                .filter(|(_, n)| *n > 0)
                .map(|(d, _)| d)
                .collect();
            unexpected.sort();
            Verification {
                commitment_matches,
                spec_refused: None,
                sample_matches: missing.is_empty() && unexpected.is_empty(),
                missing,
                unexpected,
                expected: Some(expected),
            }
        }
    }
}

#[cfg(test)]
mod tests;
