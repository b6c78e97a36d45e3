//! Masking of personal data (PIPL; domain.md §11.3 and §11.6).

/// `510304********039X`: the area code and the last four characters stay.
pub fn mask_id_number(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() < 10 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..6].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 10))
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
/// the evidence of a lead.
pub fn mask_id_numbers_in(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let is_id = i + 18 <= chars.len()
            && chars[i..i + 17].iter().all(char::is_ascii_digit)
            && (chars[i + 17].is_ascii_digit() || chars[i + 17] == 'X')
            && !chars.get(i + 18).is_some_and(char::is_ascii_digit)
            && !(i > 0 && chars[i - 1].is_ascii_digit());
        if is_id {
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
            "510304********039X|510304********0011 户 51030400101100001"
        );
    }

    #[test]
    fn id_numbers_keep_area_and_last_four() {
        assert_eq!(mask_id_number("51030419880128039X"), "510304********039X");
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
