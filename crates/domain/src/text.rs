//! Free text typed into a form (a finding, a measure's task, a case's summary): trimmed,
//! required, bounded, without control characters. Each capability names the field and turns
//! the fault into its own refusal.

/// What is wrong with a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextFault {
    Required,
    TooLong { max: usize },
    ControlCharacter,
}

/// The text trimmed, if it is not empty, at most `max` characters, and without control
/// characters (line breaks and tabs are allowed unless `single_line`).
pub fn bounded(t: &str, max: usize, single_line: bool) -> Result<String, TextFault> {
    let t = t.trim();
    let n = t.chars().count();
    if n == 0 {
        return Err(TextFault::Required);
    }
    if n > max {
        return Err(TextFault::TooLong { max });
    }
    let bad = |c: char| c.is_control() && (single_line || !matches!(c, '\n' | '\r' | '\t'));
    if t.chars().any(bad) {
        return Err(TextFault::ControlCharacter);
    }
    Ok(t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_text_is_trimmed_required_bounded_and_free_of_control_characters() {
        assert_eq!(bounded("  整改  ", 10, true), Ok("整改".into()));
        assert_eq!(
            bounded(" \t ", 10, true),
            Err(TextFault::Required),
            "blank after trimming"
        );
        assert_eq!(bounded("   ", 10, true), Err(TextFault::Required));
        assert_eq!(
            bounded("一二三", 2, true),
            Err(TextFault::TooLong { max: 2 })
        );
        assert_eq!(bounded("a\nb", 10, true), Err(TextFault::ControlCharacter));
        assert_eq!(bounded("a\nb", 10, false), Ok("a\nb".into()));
        assert_eq!(
            bounded("a\u{7}b", 10, false),
            Err(TextFault::ControlCharacter)
        );
    }

    proptest! {
        #[test]
        fn whatever_passes_fits_the_bounds(t in ".{0,40}", max in 1usize..30, single in any::<bool>()) {
            if let Ok(s) = bounded(&t, max, single) {
                prop_assert!(!s.is_empty() && s.chars().count() <= max);
                prop_assert_eq!(s.trim(), s.as_str());
                prop_assert!(!s.chars().any(|c| c.is_control() && (single || !matches!(c, '\n' | '\r' | '\t'))));
            }
        }
    }
}
