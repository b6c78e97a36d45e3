//! The language of a page (Chinese by default; English by the `jz_lang` cookie set by the
//! switch, or by `Accept-Language`), and how numbers, money and dates are written in it.

use axum::http::HeaderMap;
use axum_extra::extract::CookieJar;
use chrono::{Datelike, NaiveDate};
use jingzhun_domain::money::Yuan;
use jingzhun_domain::vocab::Vocabulary;

/// The cookie the language switch sets.
pub const LANG_COOKIE: &str = "jz_lang";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// The `lang` attribute of the page.
    pub fn html(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        match code {
            "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The switch's cookie first, then the first of Chinese or English in `Accept-Language`.
    pub fn of_request(headers: &HeaderMap) -> Lang {
        let jar = CookieJar::from_headers(headers);
        if let Some(l) = jar
            .get(LANG_COOKIE)
            .and_then(|c| Lang::from_code(c.value()))
        {
            return l;
        }
        let accept = headers
            .get(axum::http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        Lang::of_accept_language(accept)
    }

    pub fn of_accept_language(accept: &str) -> Lang {
        let mut tags: Vec<(f32, usize, &str)> = accept
            .split(',')
            .enumerate()
            .filter_map(|(i, part)| {
                let mut it = part.split(';');
                let tag = it.next()?.trim();
                let q = it
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .and_then(|q| q.parse::<f32>().ok())
                    .unwrap_or(1.0);
                Some((q, i, tag))
            })
            .collect();
        tags.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        for (_, _, tag) in tags {
            let primary = tag.split('-').next().unwrap_or("").to_ascii_lowercase();
            match primary.as_str() {
                "zh" => return Lang::Zh,
                "en" => return Lang::En,
                _ => {}
            }
        }
        Lang::Zh
    }

    /// Picks the text in this language.
    pub fn t<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    /// The label of a vocabulary value.
    pub fn v<V: Vocabulary>(self, v: V) -> &'static str {
        match self {
            Lang::Zh => v.zh(),
            Lang::En => v.en(),
        }
    }

    /// `12,345,678`.
    pub fn int(self, n: i64) -> String {
        group(&n.unsigned_abs().to_string(), n < 0)
    }

    /// `12,345.50 元` / `¥12,345.50`.
    pub fn money(self, y: Yuan) -> String {
        let fen = y.fen();
        let whole = group(&(fen.unsigned_abs() / 100).to_string(), false);
        let cents = fen.unsigned_abs() % 100;
        let sign = if fen < 0 { "-" } else { "" };
        match self {
            Lang::Zh => format!("{sign}{whole}.{cents:02} 元"),
            Lang::En => format!("{sign}¥{whole}.{cents:02}"),
        }
    }

    /// `2026年11月23日` / `2026-11-23`.
    pub fn date(self, d: NaiveDate) -> String {
        match self {
            Lang::Zh => format!("{}年{}月{}日", d.year(), d.month(), d.day()),
            Lang::En => d.format("%Y-%m-%d").to_string(),
        }
    }

    /// `2.35%`, or a dash when unknown.
    pub fn percent(self, p: Option<f64>) -> String {
        p.map_or_else(|| "—".into(), |p| format!("{p:.2}%"))
    }
}

fn group(digits: &str, negative: bool) -> String {
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    let n = digits.len();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (n - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_is_the_default_and_english_is_taken_when_preferred() {
        assert_eq!(Lang::of_accept_language(""), Lang::Zh);
        assert_eq!(Lang::of_accept_language("fr-FR,fr;q=0.9"), Lang::Zh);
        assert_eq!(
            Lang::of_accept_language("en-US,en;q=0.9,zh;q=0.5"),
            Lang::En
        );
        assert_eq!(
            Lang::of_accept_language("zh-CN,zh;q=0.9,en;q=0.8"),
            Lang::Zh
        );
        assert_eq!(Lang::of_accept_language("zh;q=0.4, en;q=0.8"), Lang::En);
        assert_eq!(Lang::of_accept_language("de, en-GB;q=0.7"), Lang::En);
    }

    #[test]
    fn numbers_money_and_dates_are_written_as_offices_expect() {
        assert_eq!(Lang::Zh.int(0), "0");
        assert_eq!(Lang::Zh.int(1234567), "1,234,567");
        assert_eq!(Lang::Zh.int(-1000), "-1,000");
        assert_eq!(Lang::Zh.money(Yuan::from_fen(1_234_550)), "12,345.50 元");
        assert_eq!(Lang::En.money(Yuan::from_fen(-5)), "-¥0.05");
        let d = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
        assert_eq!(Lang::Zh.date(d), "2026年1月5日");
        assert_eq!(Lang::En.date(d), "2026-01-05");
        assert_eq!(Lang::Zh.percent(Some(2.345)), "2.35%");
        assert_eq!(Lang::Zh.percent(None), "—");
    }
}
