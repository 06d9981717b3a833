//! UTF-16 and UTF-32 text, recognised by its byte order mark or by its NUL pattern, decoded so
//! the rules see the characters (a token in a UTF-16 file is otherwise split by NUL bytes).

/// The text of `content` when it is UTF-16 or UTF-32 (either byte order), else `None`.
pub fn wide_text(content: &[u8]) -> Option<String> {
    if content.len() < 4 {
        return None;
    }
    let (unit, big, skip) = match content {
        [0xFF, 0xFE, 0, 0, ..] => (4, false, 4),
        [0, 0, 0xFE, 0xFF, ..] => (4, true, 4),
        [0xFF, 0xFE, ..] => (2, false, 2),
        [0xFE, 0xFF, ..] => (2, true, 2),
        _ => guess(content)?,
    };
    let body = &content[skip..];
    let text: String = if unit == 2 {
        let units = body.chunks_exact(2).map(|c| {
            if big {
                u16::from_be_bytes([c[0], c[1]])
            } else {
                u16::from_le_bytes([c[0], c[1]])
            }
        });
        char::decode_utf16(units)
            .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect()
    } else {
        body.chunks_exact(4)
            .map(|c| {
                let v = if big {
                    u32::from_be_bytes([c[0], c[1], c[2], c[3]])
                } else {
                    u32::from_le_bytes([c[0], c[1], c[2], c[3]])
                };
                char::from_u32(v).unwrap_or(char::REPLACEMENT_CHARACTER)
            })
            .collect()
    };
    Some(text)
}

/// Without a byte order mark: ASCII-range text in UTF-16/32 has NUL bytes at fixed positions.
fn guess(content: &[u8]) -> Option<(usize, bool, usize)> {
    let sample = &content[..content.len().min(4096)];
    // Without a NUL in the sample it is neither (most files: one memchr and done).
    memchr::memchr(0, sample)?;
    // NUL counts and byte counts by position modulo 4, in one pass.
    let (mut zeros, mut total) = ([0usize; 4], [0usize; 4]);
    for (i, b) in sample.iter().enumerate() {
        total[i % 4] += 1;
        zeros[i % 4] += usize::from(*b == 0);
    }
    let zero_at = |m: usize, r: usize| {
        let (z, t) = if m == 4 {
            (zeros[r], total[r])
        } else {
            (zeros[r] + zeros[r + 2], total[r] + total[r + 2])
        };
        z as f64 / t.max(1) as f64
    };
    // UTF-32 first: its pattern (three NULs in four) also looks like UTF-16.
    if zero_at(4, 1) > 0.9 && zero_at(4, 2) > 0.9 && zero_at(4, 3) > 0.9 && zero_at(4, 0) < 0.5 {
        return Some((4, false, 0));
    }
    if zero_at(4, 0) > 0.9 && zero_at(4, 1) > 0.9 && zero_at(4, 2) > 0.9 && zero_at(4, 3) < 0.5 {
        return Some((4, true, 0));
    }
    if zero_at(2, 1) > 0.6 && zero_at(2, 0) < 0.2 {
        return Some((2, false, 0));
    }
    if zero_at(2, 0) > 0.6 && zero_at(2, 1) < 0.2 {
        return Some((2, true, 0));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16le(s: &str, bom: bool) -> Vec<u8> {
        let mut v = if bom { vec![0xFF, 0xFE] } else { vec![] };
        v.extend(s.encode_utf16().flat_map(|u| u.to_le_bytes()));
        v
    }

    #[test]
    fn decodes_each_form() {
        let s = "token = abc\n";
        assert_eq!(wide_text(&utf16le(s, true)).as_deref(), Some(s));
        assert_eq!(wide_text(&utf16le(s, false)).as_deref(), Some(s));
        let be: Vec<u8> = s.encode_utf16().flat_map(|u| u.to_be_bytes()).collect();
        assert_eq!(wide_text(&be).as_deref(), Some(s));
        let u32le: Vec<u8> = s.chars().flat_map(|c| (c as u32).to_le_bytes()).collect();
        assert_eq!(wide_text(&u32le).as_deref(), Some(s));
        let mut u32be = vec![0, 0, 0xFE, 0xFF];
        u32be.extend(s.chars().flat_map(|c| (c as u32).to_be_bytes()));
        assert_eq!(wide_text(&u32be).as_deref(), Some(s));
        assert_eq!(wide_text(b"plain ascii text"), None);
        assert_eq!(
            wide_text(b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0binary"),
            None
        );
    }
}
