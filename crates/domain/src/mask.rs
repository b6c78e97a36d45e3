//! Masking of personal data (PIPL; domain.md §11.3 and §11.6).

/// `510304********039*`: the area code and the three sequence digits stay; the eight digits of
/// the birth date and the check character are hidden. A masked view never shows the full birth
/// date beside it (only the year, [`birth_year`]): area, year and sequence leave hundreds of
/// IDs possible ([`candidates`]), where a shown check character would leave a few dozen and a
/// shown birth date exactly one. Old 15-character numbers keep their area and sequence.
pub fn mask_id_number(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() < 10 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..6].iter().collect();
    if chars.len() == 18 {
        let seq: String = chars[14..17].iter().collect();
        return format!("{head}********{seq}*");
    }
    let tail: String = chars[chars.len() - 3..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 9))
}

/// What a masked view shows instead of a birth date: its year.
pub fn birth_year(date: chrono::NaiveDate) -> String {
    chrono::Datelike::year(&date).to_string()
}

/// How many valid 18-character ID numbers are consistent with what a masked view shows: the
/// masked number (`*` for a hidden character) and, if shown, the birth year. Birth dates range
/// over 1900-01-01..=2100-12-31 (or the year). For tests: a masked view must leave many.
pub fn candidates(masked: &str, birth_year: Option<i32>) -> usize {
    let shown: Vec<char> = masked.chars().collect();
    if shown.len() != 18 {
        return 0;
    }
    let (from, to) = birth_year.map_or((1900, 2100), |y| (y, y));
    let mut count = 0;
    let mut digits = [0u8; 17];
    for year in from..=to {
        let Some(mut day) = chrono::NaiveDate::from_ymd_opt(year, 1, 1) else {
            continue;
        };
        while chrono::Datelike::year(&day) == year {
            let date = day.format("%Y%m%d").to_string();
            let fits = |pos: usize, c: char| shown[pos] == '*' || shown[pos] == c;
            let date_fits = date.chars().enumerate().all(|(i, c)| fits(6 + i, c));
            // Hidden area or sequence digits would multiply the count; a masked view shows them.
            let rest_known = (0..6).chain(14..17).all(|i| shown[i].is_ascii_digit());
            if date_fits && rest_known {
                for (i, d) in digits.iter_mut().enumerate() {
                    *d = if (6..14).contains(&i) {
                        date.as_bytes()[i - 6]
                    } else {
                        shown[i] as u8
                    };
                }
                if fits(17, crate::id_number::check_character(&digits)) {
                    count += 1;
                }
            }
            match day.succ_opt() {
                Some(next) => day = next,
                None => break,
            }
        }
    }
    count
}

/// `138****1234`, `0813-***5678`: the first three and the last four (or three) characters stay.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    if chars.len() < 8 {
        return "*".repeat(chars.len());
    }
    let keep_tail = if chars.len() >= 11 { 4 } else { 3 };
    let head_len = match phone.find('-') {
        Some(i) => i + 1,
        None => 3,
    };
    let head: String = chars[..head_len].iter().collect();
    let tail: String = chars[chars.len() - keep_tail..].iter().collect();
    format!(
        "{head}{}{tail}",
        "*".repeat(chars.len() - head_len - keep_tail)
    )
}

/// Masks every ID number (18 characters: 17 digits and a digit or `X`) inside a text, such as
/// the evidence of a lead, and every full birth date of those numbers written in it
/// (`1988-01-28`, `1988/1/28`, `19880128`... become the year): the rest of the text stays.
pub fn mask_id_numbers_in(text: &str) -> String {
    let births: Vec<chrono::NaiveDate> = ids_in(text)
        .iter()
        .filter_map(|id| chrono::NaiveDate::parse_from_str(&id[6..14], "%Y%m%d").ok())
        .collect();
    let mut out = mask_ids_only(text);
    for b in births {
        let y = chrono::Datelike::year(&b);
        let (m, d) = (chrono::Datelike::month(&b), chrono::Datelike::day(&b));
        for form in [
            format!("{y}-{m:02}-{d:02}"),
            format!("{y}/{m:02}/{d:02}"),
            format!("{y}.{m:02}.{d:02}"),
            format!("{y}-{m}-{d}"),
            format!("{y}/{m}/{d}"),
            format!("{y}年{m}月{d}日"),
            format!("{y}年{m:02}月{d:02}日"),
            format!("{y}{m:02}{d:02}"),
        ] {
            out = out.replace(&form, &y.to_string());
        }
    }
    out
}

/// The ID numbers written in a text.
fn ids_in(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if is_id_at(&chars, i) {
            out.push(chars[i..i + 18].iter().collect());
            i += 18;
        } else {
            i += 1;
        }
    }
    out
}

fn is_id_at(chars: &[char], i: usize) -> bool {
    i + 18 <= chars.len()
        && chars[i..i + 17].iter().all(char::is_ascii_digit)
        && (chars[i + 17].is_ascii_digit() || chars[i + 17] == 'X')
        && !chars.get(i + 18).is_some_and(char::is_ascii_digit)
        && !(i > 0 && chars[i - 1].is_ascii_digit())
}

fn mask_ids_only(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if is_id_at(&chars, i) {
            out.push_str(&mask_id_number(
                &chars[i..i + 18].iter().collect::<String>(),
            ));
            i += 18;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_numbers_inside_a_text_are_masked_and_other_numbers_kept() {
        assert_eq!(
            mask_id_numbers_in("51030419880128039X|510304199001010011 户 51030400101100001"),
            "510304********039*|510304********001* 户 51030400101100001"
        );
        // The birth dates of those numbers, however written, become the year; other dates stay.
        assert_eq!(
            mask_id_numbers_in(
                "deaths.csv:4 51030419880128039X 张三 1988-01-28 死亡 2026-03-01 / 1988年1月28日"
            ),
            "deaths.csv:4 510304********039* 张三 1988 死亡 2026-03-01 / 1988"
        );
    }

    #[test]
    fn id_numbers_keep_area_and_sequence_only() {
        assert_eq!(mask_id_number("51030419880128039X"), "510304********039*");
        assert_eq!(mask_id_number("510304880128039"), "510304******039");
    }

    /// Issue 14: the old mask kept the check character and the views showed the birth date
    /// beside it, which left exactly one ID. What a masked view shows now leaves hundreds.
    #[test]
    fn a_masked_number_with_its_birth_year_leaves_hundreds_of_ids() {
        let birth = chrono::NaiveDate::from_ymd_opt(1988, 1, 28).unwrap();
        let id = crate::id_number::IdNumber::build("510304", birth, 39);
        let id = id.as_str();
        // Before: area, date and tail shown: one.
        assert_eq!(candidates(id, None), 1);
        // The old mask with the year shown: a few dozen (the check character filters).
        let old_mask = format!("510304********{}", &id[14..]);
        let old = candidates(&old_mask, Some(1988));
        assert!(old < 60, "{old}");
        // Now: the year and the masked number leave every day of the year.
        let masked = mask_id_number(id);
        assert_eq!(candidates(&masked, Some(1988)), 366);
        assert!(candidates(&masked, None) > 70_000);
    }

    #[test]
    fn phones_keep_prefix_and_last_digits() {
        assert_eq!(mask_phone("13800001234"), "138****1234");
        assert_eq!(mask_phone("0813-2345678"), "0813-***5678");
    }

    #[test]
    fn short_values_are_masked_entirely() {
        assert_eq!(mask_id_number("123"), "***");
        assert_eq!(mask_phone("12345"), "*****");
    }
}
