//! Jingzhun's domain: the rules of the registry, with no I/O.
//!
//! Everything here is plain Rust that takes values and returns values, so every rule can be
//! unit-tested directly and reused by the CLI, the web server and the storage backends.
//!
//! * [`access`]: roles bound to areas and periods, and the one rule of who reaches what.
//! * [`application`]: a household applying (not yet in the registry) and its members.
//! * [`area`]: 12-digit statistical area codes, levels and designations.
//! * [`id_number`]: the 18-character resident ID number (GB 11643).
//! * [`vocab`]: the closed lists of domain.md §3 (statuses, causes, relations...).
//! * [`registry`]: households and persons, and how a row of text becomes one (validation).
//! * [`problem`]: what is wrong with a value, in Chinese and English.
//! * [`money`]: amounts in yuan, kept in fen.
//! * [`standards`]: poverty lines and other thresholds as data.
//! * [`audit`]: the hash-chained audit log.
//! * [`catalogue`]: the problem catalogues of seeds 000 and 003, and the corruption types.
//! * [`calendar`]: working days, holidays and make-up days; deadlines counted in working days.
//! * [`complaint`]: complaints: ticket codes, sealed identity, recusal, reply, review, escalation.
//! * [`mask`]: masking of personal data for roles and exports that do not need it.
//! * [`generate`]: deterministic synthetic registries for the demo, tests and benchmarks.
//! * [`summary`]: counts by status and poverty incidence.
//! * [`sources`]: other departments' data: kinds, columns, validation.
//! * [`checks`]: the cross-check rules R02-R15.
//! * [`warnings`]: early warnings per village.
//! * [`procedure`]: identification, exit, removal, return, monitoring as state machines.
//! * [`notice`]: public notices from procedures and their digest.
//! * [`plan`]: one plan per household, and identical plans as a finding.
//! * [`text`]: free text from forms: trimmed, required, bounded, no control characters.
//! * [`update`]: the yearly dynamic adjustment of a village, its lock, and what it proposes.
//! * [`exit`]: the household exit indicators, village and county exit, what-if of a standard.
//! * [`draw`]: verifiable random draws (commit-reveal) for unannounced visits and samples.
//! * [`inspection`]: inspections: type, scope, team, period, findings by the catalogue, draws.
//! * [`rectification`]: rectification programmes, measures, verification and closing (销号).
//! * [`accountability`]: accountability cases, the four forms, escalated review (提级审核).

pub mod access;
pub mod accountability;
pub mod application;
pub mod area;
pub mod audit;
pub mod calendar;
pub mod catalogue;
pub mod checks;
pub mod complaint;
pub mod dates;
pub mod draw;
pub mod exit;
pub mod generate;
pub mod id_number;
pub mod inspection;
pub mod mask;
pub mod money;
pub mod notice;
pub mod plan;
pub mod problem;
pub mod procedure;
pub mod rectification;
pub mod registry;
pub mod sources;
pub mod standards;
pub mod summary;
pub mod text;
pub mod update;
pub mod vocab;
pub mod warnings;

pub use area::{AreaCode, AreaLevel};
pub use id_number::IdNumber;
pub use money::Yuan;
pub use problem::Problem;
