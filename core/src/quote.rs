//! Text from outside (an EVM log's destination, a pasted address or descriptor) shown in error
//! messages: quoted, with everything but printable ASCII escaped, so a message can neither break a
//! log line nor hide text behind control or bidirectional-override characters.

use core::fmt::{self, Write};

/// `text` in double quotes; `"` and `\` backslash-escaped, tab, newline and carriage return as
/// `\t`, `\n`, `\r`, and every other character outside printable ASCII as `\u{hex}` (Rust's
/// escape syntax; Rust's `Debug` writes the same for printable ASCII, but keeps printable
/// non-ASCII characters and writes NUL as `\0`).
pub(crate) struct Quoted<'a>(pub(crate) &'a str);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_quoted(f, self.0, '"')
    }
}

/// One character in single quotes, escaped as [`Quoted`] escapes text (`'` instead of `"`).
pub(crate) struct QuotedChar(pub(crate) char);

impl fmt::Display for QuotedChar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = [0u8; 4];
        write_quoted(f, self.0.encode_utf8(&mut buf), '\'')
    }
}

fn write_quoted(f: &mut fmt::Formatter<'_>, text: &str, quote: char) -> fmt::Result {
    f.write_char(quote)?;
    for c in text.chars() {
        match c {
            '\\' => f.write_str("\\\\")?,
            '\t' => f.write_str("\\t")?,
            '\n' => f.write_str("\\n")?,
            '\r' => f.write_str("\\r")?,
            _ if c == quote => {
                f.write_char('\\')?;
                f.write_char(c)?;
            }
            ' '..='~' => f.write_char(c)?,
            _ => write!(f, "\\u{{{:x}}}", u32::from(c))?,
        }
    }
    f.write_char(quote)
}

#[cfg(test)]
mod tests {
    use super::{Quoted, QuotedChar};
    use alloc::format;

    #[test]
    fn printable_ascii_is_kept_and_the_rest_escaped() {
        assert_eq!(format!("{}", Quoted("bc1q x~")), r#""bc1q x~""#);
        assert_eq!(format!("{}", Quoted("a\"b\\c")), r#""a\"b\\c""#);
        assert_eq!(
            format!("{}", Quoted("\t\n\r\0\x7f")),
            r#""\t\n\r\u{0}\u{7f}""#
        );
        // Right-to-left override and a non-ASCII letter: both escaped.
        assert_eq!(format!("{}", Quoted("a\u{202e}é")), r#""a\u{202e}\u{e9}""#);
        assert_eq!(format!("{}", Quoted("")), r#""""#);
        assert_eq!(format!("{}", QuotedChar('g')), "'g'");
        assert_eq!(format!("{}", QuotedChar('\'')), r"'\''");
        assert_eq!(format!("{}", QuotedChar('"')), r#"'"'"#);
        assert_eq!(format!("{}", QuotedChar('\u{1f600}')), r"'\u{1f600}'");
    }

    #[test]
    fn printable_ascii_matches_rust_debug() {
        for b in 0x20u8..0x7f {
            let c = char::from(b);
            let s = alloc::string::String::from(c);
            assert_eq!(format!("{}", Quoted(&s)), format!("{s:?}"));
            assert_eq!(format!("{}", QuotedChar(c)), format!("{c:?}"));
        }
    }
}
