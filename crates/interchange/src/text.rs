//! The text of a CSV file (interchange.md, Encoding and Line endings): UTF-8 (with or without a
//! byte-order mark) or GB18030/GBK, told apart by itself or chosen; UTF-16 and anything that is
//! neither refused once for the whole file; lines over the limit refused; and the physical line
//! (as an editor shows it, CRLF or LF) of every byte offset, for the reports.
//!
//! [`Decoded`] is a streaming [`Read`] adapter: valid UTF-8 passes through after a validation
//! pass, GB18030 is decoded chunk by chunk, so a large file is never held in memory.

use std::collections::VecDeque;
use std::fmt;
use std::io::{self, Read};
use std::str::FromStr;

use encoding_rs::{DecoderResult, GB18030};
use jingzhun_domain::Problem;

/// The longest line accepted (interchange.md, Limits).
pub const MAX_LINE_BYTES: usize = 1024 * 1024;
/// The longest cell accepted, in characters.
pub const MAX_CELL_CHARS: usize = 4_000;
/// How much of the file after its first non-ASCII byte is looked at to tell UTF-8 from GB18030.
const SNIFF: usize = 64 * 1024;
const CHUNK: usize = 64 * 1024;

/// An encoding the platform reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Gb18030,
}

impl Encoding {
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Gb18030 => "GB18030",
        }
    }
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What the user chose: detection (the default) or one encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EncodingChoice {
    #[default]
    Auto,
    Utf8,
    Gb18030,
}

impl FromStr for EncodingChoice {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "auto" => Ok(EncodingChoice::Auto),
            "utf-8" | "utf8" => Ok(EncodingChoice::Utf8),
            "gb18030" | "gbk" | "gb2312" | "cp936" => Ok(EncodingChoice::Gb18030),
            other => Err(format!(
                "{other}: the encoding is auto, utf-8 or gb18030 (gbk)"
            )),
        }
    }
}

/// The text of a file could not be read: the problem and the line where it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextError {
    pub line: u64,
    pub problem: Problem,
}

impl fmt::Display for TextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.problem)
    }
}

impl std::error::Error for TextError {}

/// The [`TextError`] inside an I/O error raised by [`Decoded`], if it is one.
pub fn text_error(e: &io::Error) -> Option<&TextError> {
    e.get_ref()
        .and_then(|inner| inner.downcast_ref::<TextError>())
}

enum State {
    /// Only ASCII seen so far: it reads the same in both encodings.
    Undecided,
    Utf8,
    Gb18030(Box<encoding_rs::Decoder>),
}

/// A reader of UTF-8 text over a file in one of the accepted encodings.
pub struct Decoded<R: Read> {
    inner: R,
    choice: EncodingChoice,
    state: State,
    /// Bytes read from the file and not yet turned into text.
    raw: Vec<u8>,
    /// Text ready for the caller, from `out_pos` on.
    out: Vec<u8>,
    out_pos: usize,
    eof: bool,
    started: bool,
    failed: bool,
    /// Text bytes handed out so far, and the offsets of the line feeds among them not yet
    /// passed by [`Decoded::line_at`].
    produced: u64,
    newlines: VecDeque<u64>,
    /// Lines before the first offset kept in `newlines`.
    lines_before: u64,
    /// Bytes of the current line so far.
    line_len: usize,
}

impl<R: Read> Decoded<R> {
    pub fn new(inner: R, choice: EncodingChoice) -> Self {
        Decoded {
            inner,
            choice,
            state: match choice {
                EncodingChoice::Auto => State::Undecided,
                EncodingChoice::Utf8 => State::Utf8,
                EncodingChoice::Gb18030 => {
                    State::Gb18030(Box::new(GB18030.new_decoder_without_bom_handling()))
                }
            },
            raw: Vec::with_capacity(CHUNK + 8),
            out: Vec::with_capacity(CHUNK * 2),
            out_pos: 0,
            eof: false,
            started: false,
            failed: false,
            produced: 0,
            newlines: VecDeque::new(),
            lines_before: 0,
            line_len: 0,
        }
    }

    /// The encoding read: known once a non-ASCII byte was seen, or chosen; a file of plain
    /// ASCII reads as UTF-8.
    pub fn encoding(&self) -> Encoding {
        match self.state {
            State::Gb18030(_) => Encoding::Gb18030,
            State::Undecided | State::Utf8 => Encoding::Utf8,
        }
    }

    /// The physical line (1-based) of the record that starts at a text offset; offsets must be
    /// asked in increasing order. A record may be said to start at the line feed that ends the
    /// line before it (after a CR, or a skipped blank line): that line feed is counted.
    pub fn line_at(&mut self, offset: u64) -> u64 {
        while self.newlines.front().is_some_and(|&n| n <= offset) {
            self.newlines.pop_front();
            self.lines_before += 1;
        }
        self.lines_before + 1
    }

    /// The line the decoder has reached (for an error found while reading).
    fn current_line(&self) -> u64 {
        self.lines_before + self.newlines.len() as u64 + 1
    }

    fn fail(&mut self, problem: Problem) -> io::Error {
        self.failed = true;
        io::Error::new(
            io::ErrorKind::InvalidData,
            TextError {
                line: self.current_line(),
                problem,
            },
        )
    }

    fn fill_raw(&mut self, want: usize) -> io::Result<()> {
        let mut buf = [0u8; 16 * 1024];
        while !self.eof && self.raw.len() < want {
            match self.inner.read(&mut buf) {
                Ok(0) => self.eof = true,
                Ok(n) => self.raw.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Turns the next chunk of the file into text in `out`.
    fn refill(&mut self) -> io::Result<()> {
        self.out.clear();
        self.out_pos = 0;
        while self.out.is_empty() {
            let have = self.raw.len();
            self.fill_raw(have + CHUNK)?;
            if !self.started {
                self.started = true;
                if self.raw.starts_with(b"\xFF\xFE") || self.raw.starts_with(b"\xFE\xFF") {
                    return Err(self.fail(Problem::Utf16));
                }
                let sample = &self.raw[..self.raw.len().min(SNIFF)];
                if sample.contains(&0) {
                    return Err(self.fail(Problem::Utf16));
                }
                if self.raw.starts_with(b"\xEF\xBB\xBF") {
                    self.raw.drain(..3);
                    if self.choice == EncodingChoice::Auto {
                        self.state = State::Utf8;
                    }
                }
            }
            if self.raw.is_empty() && self.eof {
                return Ok(());
            }
            self.decode()?;
        }
        self.track_lines()
    }

    fn decode(&mut self) -> io::Result<()> {
        if let State::Undecided = self.state {
            match self.raw.iter().position(|b| !b.is_ascii()) {
                None => {
                    std::mem::swap(&mut self.out, &mut self.raw);
                    return Ok(());
                }
                Some(i) => {
                    self.fill_raw(i + SNIFF)?;
                    let window = &self.raw[i..self.raw.len().min(i + SNIFF)];
                    let utf8 = match std::str::from_utf8(window) {
                        Ok(_) => true,
                        // Cut inside a character at the end of the window.
                        Err(e) => {
                            e.error_len().is_none()
                                && !(self.eof && window.len() == self.raw.len() - i)
                        }
                    };
                    self.state = if utf8 {
                        State::Utf8
                    } else {
                        State::Gb18030(Box::new(GB18030.new_decoder_without_bom_handling()))
                    };
                }
            }
        }
        match &mut self.state {
            State::Undecided => Ok(()),
            State::Utf8 => {
                let valid = match std::str::from_utf8(&self.raw) {
                    Ok(_) => self.raw.len(),
                    Err(e) if e.error_len().is_none() && !self.eof => e.valid_up_to(),
                    Err(e) => {
                        // The line of the bad byte: count what comes before it.
                        let before = &self.raw[..e.valid_up_to()];
                        let lines = before.iter().filter(|&&b| b == b'\n').count() as u64;
                        self.out.clear();
                        let mut err = self.fail(Problem::NotText {
                            encoding: "UTF-8".into(),
                        });
                        if let Some(t) = err.get_mut().and_then(|i| i.downcast_mut::<TextError>()) {
                            t.line += lines;
                        }
                        return Err(err);
                    }
                };
                let rest = self.raw.split_off(valid);
                self.out = std::mem::replace(&mut self.raw, rest);
                Ok(())
            }
            State::Gb18030(decoder) => {
                let need = decoder
                    .max_utf8_buffer_length_without_replacement(self.raw.len())
                    .unwrap_or(self.raw.len() * 3 + 16);
                self.out.resize(need, 0);
                let (result, read, written) =
                    decoder.decode_to_utf8_without_replacement(&self.raw, &mut self.out, self.eof);
                self.out.truncate(written);
                match result {
                    DecoderResult::Malformed(_, _) => {
                        let lines = self.out.iter().filter(|&&b| b == b'\n').count() as u64;
                        self.out.clear();
                        let mut err = self.fail(Problem::NotText {
                            encoding: "UTF-8 / GB18030".into(),
                        });
                        if let Some(t) = err.get_mut().and_then(|i| i.downcast_mut::<TextError>()) {
                            t.line += lines;
                        }
                        Err(err)
                    }
                    DecoderResult::InputEmpty | DecoderResult::OutputFull => {
                        self.raw.drain(..read);
                        Ok(())
                    }
                }
            }
        }
    }

    /// Records the line feeds of the new text and checks the length of its lines.
    fn track_lines(&mut self) -> io::Result<()> {
        let base = self.produced;
        let mut last = None;
        for i in memchr::memchr_iter(b'\n', &self.out) {
            let seg = match last {
                None => self.line_len + i,
                Some(l) => i - l - 1,
            };
            if seg > MAX_LINE_BYTES {
                return Err(self.fail(Problem::LineTooLong {
                    max: MAX_LINE_BYTES,
                }));
            }
            self.newlines.push_back(base + i as u64);
            last = Some(i);
        }
        self.line_len = match last {
            None => self.line_len + self.out.len(),
            Some(l) => self.out.len() - l - 1,
        };
        if self.line_len > MAX_LINE_BYTES {
            return Err(self.fail(Problem::LineTooLong {
                max: MAX_LINE_BYTES,
            }));
        }
        self.produced += self.out.len() as u64;
        Ok(())
    }
}

impl<R: Read> Read for Decoded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.failed {
            return Ok(0);
        }
        if self.out_pos >= self.out.len() {
            self.refill()?;
        }
        let n = buf.len().min(self.out.len() - self.out_pos);
        buf[..n].copy_from_slice(&self.out[self.out_pos..self.out_pos + n]);
        self.out_pos += n;
        Ok(n)
    }
}

/// A value as a report quotes it: at most 80 characters, the cut marked with `…`.
pub fn quote(value: &str) -> String {
    const MAX: usize = 80;
    match value.char_indices().nth(MAX) {
        None => value.to_string(),
        Some((i, _)) => format!("{}…", &value[..i]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(bytes: &[u8], choice: EncodingChoice) -> (Result<String, TextError>, Encoding) {
        let mut d = Decoded::new(bytes, choice);
        let mut s = Vec::new();
        let r = d.read_to_end(&mut s);
        let enc = d.encoding();
        match r {
            Ok(_) => (Ok(String::from_utf8(s).unwrap()), enc),
            Err(e) => (Err(text_error(&e).cloned().unwrap()), enc),
        }
    }

    #[test]
    fn utf8_with_or_without_bom_and_gbk_read_as_the_same_text() {
        let text = "姓名,村\r\n张三,一组\r\n";
        let (gbk, _, _) = GB18030.encode(text);
        for (bytes, enc) in [
            (text.as_bytes().to_vec(), Encoding::Utf8),
            (
                [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat(),
                Encoding::Utf8,
            ),
            (gbk.into_owned(), Encoding::Gb18030),
        ] {
            assert_eq!(
                read_all(&bytes, EncodingChoice::Auto),
                (Ok(text.into()), enc)
            );
        }
    }

    #[test]
    fn utf16_and_text_in_neither_encoding_are_refused_once() {
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("a,b".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(
            read_all(&utf16, EncodingChoice::Auto)
                .0
                .unwrap_err()
                .problem,
            Problem::Utf16
        );
        let no_bom: Vec<u8> = "a,b".encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert_eq!(
            read_all(&no_bom, EncodingChoice::Auto)
                .0
                .unwrap_err()
                .problem,
            Problem::Utf16
        );
        let bad = read_all(b"a\nb\n\x81\x20", EncodingChoice::Auto)
            .0
            .unwrap_err();
        assert!(matches!(bad.problem, Problem::NotText { .. }));
        let (gbk, _, _) = GB18030.encode("a\n张三\n");
        let forced = read_all(&gbk, EncodingChoice::Utf8).0.unwrap_err();
        assert_eq!(
            (forced.line, forced.problem),
            (
                2,
                Problem::NotText {
                    encoding: "UTF-8".into()
                }
            )
        );
    }

    #[test]
    fn a_line_over_the_limit_is_refused() {
        let mut bytes = b"a,b\n".to_vec();
        bytes.extend(std::iter::repeat_n(b'x', MAX_LINE_BYTES + 1));
        let e = read_all(&bytes, EncodingChoice::Auto).0.unwrap_err();
        assert_eq!(
            (e.line, e.problem),
            (
                2,
                Problem::LineTooLong {
                    max: MAX_LINE_BYTES
                }
            )
        );
    }

    #[test]
    fn a_long_value_is_quoted_to_80_characters() {
        assert_eq!(quote("短"), "短");
        let q = quote(&"字".repeat(200));
        assert_eq!(q.chars().count(), 81);
        assert!(q.ends_with('…'));
    }
}
