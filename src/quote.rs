//! Text from untrusted places made safe to show on a terminal.
//!
//! [`path`] quotes a file name the way git's `core.quotePath` does when the name holds a control
//! character (ESC, CR, a newline, …), a double quote or a backslash: in double quotes, with C
//! escapes (`\n`, `\r`, `\t`, `\"`, `\\`) and octal for the rest (`\033`). Every listing of
//! file names goes through it, so a name cannot redraw the line it is on or split a list.
//! [`bytes`] does the same for a name as git stores it, which need not be UTF-8: each byte that
//! is not part of a valid UTF-8 character is written in octal (`\377`), as git writes it.
//! [`text`] strips terminal control sequences (and other control characters but newline and
//! tab) from text agents wrote, such as deliverable summaries.

use std::borrow::Cow;

/// `name` as it is safe to show: unchanged when plain, else quoted and escaped.
pub fn path(name: &str) -> Cow<'_, str> {
    if !name.chars().any(needs_quoting) {
        return Cow::Borrowed(name);
    }
    let mut out = String::with_capacity(name.len() + 2);
    out.push('"');
    for c in name.chars() {
        match c {
            '\x07' => out.push_str("\\a"),
            '\x08' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\x0b' => out.push_str("\\v"),
            '\x0c' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("\\{b:03o}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    Cow::Owned(out)
}

/// A name as git stores it (any bytes) as it is safe to show: a UTF-8 name as [`path`] shows
/// it; otherwise quoted, with every byte that is not part of a valid UTF-8 character in octal.
pub fn bytes(name: &[u8]) -> Cow<'_, str> {
    if let Ok(s) = std::str::from_utf8(name) {
        return path(s);
    }
    let mut out = String::with_capacity(name.len() + 8);
    out.push('"');
    for chunk in name.utf8_chunks() {
        let valid = path(chunk.valid());
        match valid {
            // Quoted: take what is inside the quotes.
            Cow::Owned(q) => out.push_str(&q[1..q.len() - 1]),
            Cow::Borrowed(plain) => out.push_str(plain),
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\{b:03o}"));
        }
    }
    out.push('"');
    Cow::Owned(out)
}

fn needs_quoting(c: char) -> bool {
    c.is_control() || c == '"' || c == '\\'
}

/// `s` without terminal control sequences (CSI, OSC, …) and without other control characters
/// than newline and tab.
pub fn text(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Cow::Borrowed(s);
    }
    // The stripper drops tabs too: keep them by stripping between them.
    let stripped: Vec<String> = s.split('\t').map(strip_ansi_escapes::strip_str).collect();
    Cow::Owned(
        stripped
            .join("\t")
            .chars()
            .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_names_are_unchanged() {
        assert_eq!(path("backend/src/crm é.ts"), "backend/src/crm é.ts");
        assert!(matches!(path("a/b.ts"), Cow::Borrowed(_)));
    }

    #[test]
    fn names_with_control_characters_are_quoted_like_git() {
        assert_eq!(
            path("x\x1b[2K\r  A innocent.ts"),
            "\"x\\033[2K\\r  A innocent.ts\""
        );
        assert_eq!(path("two\nlines"), "\"two\\nlines\"");
        assert_eq!(path("q\"b\\"), "\"q\\\"b\\\\\"");
        assert_eq!(path("del\x7f"), "\"del\\177\"");
    }

    #[test]
    fn names_that_are_not_utf8_are_quoted_with_octal_bytes_like_git() {
        assert_eq!(bytes(b"a/\xff.ts"), "\"a/\\377.ts\"");
        assert_eq!(
            bytes(b"caf\xc3\xa9 \xe9\x1b[2K\n.ts"),
            "\"café \\351\\033[2K\\n.ts\""
        );
        assert_eq!(bytes(b"plain.ts"), "plain.ts");
        assert_eq!(bytes(b"two\nlines"), "\"two\\nlines\"");
    }

    #[test]
    fn control_sequences_are_stripped_from_text() {
        assert_eq!(
            text("ok\x1b[2K\r\x1b]0;title\x07 done\x1b[31m red\x1b[0m\nnext\tline"),
            "ok done red\nnext\tline"
        );
        assert!(matches!(text("plain"), Cow::Borrowed(_)));
    }
}
