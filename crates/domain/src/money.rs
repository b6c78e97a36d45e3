//! Amounts of money in yuan, kept exactly as a whole number of fen (分).

use std::fmt;

use crate::problem::Problem;

/// An amount in yuan, stored in fen. Interchange files write it as `1234` or `1234.5`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, serde::Serialize)]
pub struct Yuan {
    fen: i64,
}

/// Largest amount accepted: 100 million yuan.
const MAX_FEN: i64 = 10_000_000_000;

impl Yuan {
    pub const fn from_fen(fen: i64) -> Self {
        Yuan { fen }
    }

    pub fn from_yuan(yuan: i64) -> Self {
        Yuan { fen: yuan * 100 }
    }

    pub fn fen(self) -> i64 {
        self.fen
    }

    /// Reads `1234`, `-20`, `1234.5` or `1234.56` (no separators, no currency sign).
    pub fn parse(text: &str) -> Result<Self, Problem> {
        let t = text.trim();
        let (neg, body) = match t.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, t),
        };
        let (int, frac) = match body.split_once('.') {
            Some((i, f)) => (i, f),
            None => (body, ""),
        };
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if int.is_empty() || !digits(int) || !digits(frac) || frac.len() > 2 || body.ends_with('.')
        {
            return Err(Problem::NotMoney);
        }
        if int.len() > 12 {
            return Err(Problem::MoneyOutOfRange);
        }
        let whole: i64 = int.parse().map_err(|_| Problem::NotMoney)?;
        let cents: i64 = format!("{frac:0<2}")
            .parse()
            .map_err(|_| Problem::NotMoney)?;
        let fen = whole * 100 + cents;
        if fen > MAX_FEN {
            return Err(Problem::MoneyOutOfRange);
        }
        Ok(Yuan {
            fen: if neg { -fen } else { fen },
        })
    }

    /// The amount as an interchange file writes it: no trailing zeros, no separators.
    pub fn to_plain(self) -> String {
        let sign = if self.fen < 0 { "-" } else { "" };
        let a = self.fen.unsigned_abs();
        match a % 100 {
            0 => format!("{sign}{}", a / 100),
            c if c % 10 == 0 => format!("{sign}{}.{}", a / 100, c / 10),
            c => format!("{sign}{}.{c:02}", a / 100),
        }
    }

    /// The amount as a Chinese office shows it: thousands separators and two decimals, `元`.
    pub fn to_display(self) -> String {
        let sign = if self.fen < 0 { "-" } else { "" };
        let a = self.fen.unsigned_abs();
        format!(
            "{sign}{}.{:02} 元",
            group_thousands((a / 100) as i64),
            a % 100
        )
    }

    /// Divides evenly among `n` (per-capita income), rounding towards zero to the fen.
    pub fn per(self, n: usize) -> Option<Yuan> {
        (n > 0).then(|| Yuan {
            fen: self.fen / n as i64,
        })
    }
}

/// A whole number with thousands separators ("12,345"), as Chinese offices write amounts.
pub fn group_thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::from(if n < 0 { "-" } else { "" });
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

impl fmt::Display for Yuan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_plain())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn amounts_are_read_exactly() {
        assert_eq!(Yuan::parse("4000").unwrap().fen(), 400_000);
        assert_eq!(Yuan::parse("4000.5").unwrap().fen(), 400_050);
        assert_eq!(Yuan::parse("0.05").unwrap().fen(), 5);
        assert_eq!(Yuan::parse("-120.10").unwrap().fen(), -12_010);
    }

    #[test]
    fn malformed_amounts_are_refused() {
        for bad in [
            "", "1,000", "¥100", "12.345", "1e3", ".5", "5.", "--1", "abc", "1 000",
        ] {
            assert_eq!(Yuan::parse(bad), Err(Problem::NotMoney), "{bad:?}");
        }
        assert_eq!(
            Yuan::parse("999999999999999"),
            Err(Problem::MoneyOutOfRange)
        );
    }

    #[test]
    fn amounts_display_the_chinese_office_way() {
        assert_eq!(Yuan::from_fen(123_456_789).to_display(), "1,234,567.89 元");
        assert_eq!(Yuan::from_fen(-5).to_display(), "-0.05 元");
        assert_eq!(Yuan::from_yuan(3100).to_display(), "3,100.00 元");
    }

    proptest! {
        #[test]
        fn plain_text_round_trips(fen in -MAX_FEN..=MAX_FEN) {
            let y = Yuan::from_fen(fen);
            prop_assert_eq!(Yuan::parse(&y.to_plain()), Ok(y));
        }
    }
}
