//! Area conditions written so that each backend answers them with index ranges.
//!
//! An account's scope and a requested area become code ranges (an area's descendants are the
//! codes `5103040000000` .. `510304999999`), merged where they overlap or touch. One range is
//! written as one plain `col BETWEEN ? AND ?` (a village as `col = ?`, which also lets an index
//! on `(col, status)` serve an equality on the status and the order after it); several ranges
//! as an OR of such plain terms, which SQLite answers with one index range per term
//! (`MULTI-INDEX OR`) and PostgreSQL with a `BitmapOr`. A term that is not a range of the
//! column (the former `1 = 0 OR ...`) would make SQLite scan the whole index instead.

use jingzhun_domain::area::AreaCode;

use crate::sql::code_range;

/// The code ranges an area condition matches: `None` everywhere, `Some(empty)` nowhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AreaRanges(Option<Vec<(String, String)>>);

impl AreaRanges {
    /// Every area.
    pub fn everywhere() -> Self {
        AreaRanges(None)
    }

    /// The ranges of `within` (`None`: everywhere; an empty list: nowhere), sorted and merged.
    pub fn of(within: Option<&[AreaCode]>) -> Self {
        let Some(areas) = within else {
            return AreaRanges(None);
        };
        let mut ranges: Vec<(String, String)> =
            areas.iter().map(|a| code_range(a.prefix())).collect();
        ranges.sort();
        let mut merged: Vec<(String, String)> = Vec::with_capacity(ranges.len());
        for (lo, hi) in ranges {
            match merged.last_mut() {
                Some((_, last_hi)) if lo <= *last_hi || follows(last_hi, &lo) => {
                    if hi > *last_hi {
                        *last_hi = hi;
                    }
                }
                _ => merged.push((lo, hi)),
            }
        }
        AreaRanges(Some(merged))
    }

    /// The ranges of one area.
    pub fn area(area: &AreaCode) -> Self {
        Self::of(Some(std::slice::from_ref(area)))
    }

    /// Whether the condition can match nothing (the query need not run).
    pub fn is_nowhere(&self) -> bool {
        self.0.as_ref().is_some_and(Vec::is_empty)
    }

    /// The merged ranges, `None` for everywhere.
    pub fn ranges(&self) -> Option<&[(String, String)]> {
        self.0.as_deref()
    }

    /// The condition on `column` as SQL text with `?` for each bound value, and the values in
    /// order: ` AND col = ?`, ` AND col BETWEEN ? AND ?`, ` AND (col BETWEEN ? AND ? OR ...)`;
    /// nothing for everywhere. Callers bind the values in order (see the backends' builder).
    /// Nowhere is written ` AND 1 = 0` (callers usually answer without running the query).
    pub fn condition(&self, column: &str) -> Vec<Piece> {
        let Some(ranges) = &self.0 else {
            return Vec::new();
        };
        let mut out = Vec::new();
        match ranges.as_slice() {
            [] => out.push(Piece::Sql(" AND 1 = 0".into())),
            [one] => {
                out.push(Piece::Sql(" AND ".into()));
                range_term(&mut out, column, one);
            }
            many => {
                out.push(Piece::Sql(" AND (".into()));
                for (i, r) in many.iter().enumerate() {
                    if i > 0 {
                        out.push(Piece::Sql(" OR ".into()));
                    }
                    range_term(&mut out, column, r);
                }
                out.push(Piece::Sql(")".into()));
            }
        }
        out
    }
}

/// The plain condition on `column` for one range, without ` AND `: `col = ?` or
/// `col BETWEEN ? AND ?`, for a caller writing one `UNION ALL` arm per range (where the area
/// column follows another equality in its index, an OR of ranges is not searched by range).
pub fn term(column: &str, range: &(String, String)) -> Vec<Piece> {
    let mut out = Vec::new();
    range_term(&mut out, column, range);
    out
}

/// A part of a condition: SQL text, or a value to bind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Sql(String),
    Bind(String),
}

fn range_term(out: &mut Vec<Piece>, column: &str, (lo, hi): &(String, String)) {
    if lo == hi {
        out.push(Piece::Sql(format!("{column} = ")));
        out.push(Piece::Bind(lo.clone()));
    } else {
        out.push(Piece::Sql(format!("{column} BETWEEN ")));
        out.push(Piece::Bind(lo.clone()));
        out.push(Piece::Sql(" AND ".into()));
        out.push(Piece::Bind(hi.clone()));
    }
}

/// Whether `next` is the code right after `last` (12 ASCII digits each): the two ranges touch.
fn follows(last: &str, next: &str) -> bool {
    match (last.parse::<u64>(), next.parse::<u64>()) {
        (Ok(a), Ok(b)) => a.checked_add(1) == Some(b),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> AreaCode {
        AreaCode::parse_short(s).unwrap()
    }

    fn text(pieces: &[Piece]) -> (String, Vec<String>) {
        let mut sql = String::new();
        let mut binds = Vec::new();
        for p in pieces {
            match p {
                Piece::Sql(s) => sql.push_str(s),
                Piece::Bind(v) => {
                    sql.push('?');
                    binds.push(v.clone());
                }
            }
        }
        (sql, binds)
    }

    #[test]
    fn everywhere_adds_no_condition() {
        assert!(AreaRanges::of(None).condition("village_code").is_empty());
        assert!(!AreaRanges::everywhere().is_nowhere());
    }

    #[test]
    fn an_empty_scope_matches_nothing() {
        let r = AreaRanges::of(Some(&[]));
        assert!(r.is_nowhere());
        assert_eq!(text(&r.condition("village_code")).0, " AND 1 = 0");
    }

    #[test]
    fn one_area_is_one_plain_range_without_a_constant_term() {
        let (sql, binds) = text(&AreaRanges::area(&code("510304")).condition("village_code"));
        assert_eq!(sql, " AND village_code BETWEEN ? AND ?");
        assert_eq!(binds, ["510304000000", "510304999999"]);
        assert!(!sql.contains("1 = 0"));
    }

    #[test]
    fn a_village_is_an_equality() {
        let (sql, binds) =
            text(&AreaRanges::area(&code("510304100201")).condition("h.village_code"));
        assert_eq!(sql, " AND h.village_code = ?");
        assert_eq!(binds, ["510304100201"]);
    }

    #[test]
    fn several_areas_are_an_or_of_plain_ranges_in_code_order() {
        let r = AreaRanges::of(Some(&[code("510321"), code("510304100201")]));
        let (sql, binds) = text(&r.condition("village_code"));
        assert_eq!(
            sql,
            " AND (village_code = ? OR village_code BETWEEN ? AND ?)"
        );
        assert_eq!(binds, ["510304100201", "510321000000", "510321999999"]);
    }

    #[test]
    fn nested_and_touching_areas_merge() {
        // A township within its county: the county's range alone.
        let r = AreaRanges::of(Some(&[code("510304100"), code("510304")]));
        assert_eq!(
            r.ranges(),
            Some(&[("510304000000".to_string(), "510304999999".to_string())][..])
        );
        // Two neighbouring counties' ranges touch (…999999 then …000000): one range.
        let r = AreaRanges::of(Some(&[code("510302"), code("510303")]));
        assert_eq!(
            r.ranges(),
            Some(&[("510302000000".to_string(), "510303999999".to_string())][..])
        );
        // Apart: two.
        let r = AreaRanges::of(Some(&[code("510302"), code("510311")]));
        assert_eq!(r.ranges().map(<[_]>::len), Some(2));
    }

    #[test]
    fn merging_keeps_exactly_the_codes_of_the_areas() {
        use proptest::prelude::*;
        let prefixes = prop::collection::vec(
            prop::sample::select(vec![
                "51",
                "5103",
                "510304",
                "510302",
                "510303",
                "510311",
                "510304100",
                "510304101",
                "510304100201",
                "52",
                "5201",
            ]),
            0..6,
        );
        let villages = prop::sample::select(vec![
            "510304100201",
            "510304101001",
            "510302001001",
            "510303999999",
            "510311100100",
            "520101001001",
            "530101001001",
            "510399000000",
        ]);
        proptest!(|(areas in prefixes, v in villages)| {
            let areas: Vec<AreaCode> = areas.iter().map(|p| code(p)).collect();
            let village = code(v);
            let expected = areas.iter().any(|a| a.contains(&village));
            let r = AreaRanges::of(Some(&areas));
            let got = r.ranges().unwrap().iter()
                .any(|(lo, hi)| lo.as_str() <= village.as_str() && village.as_str() <= hi.as_str());
            prop_assert_eq!(got, expected);
        });
    }
}
