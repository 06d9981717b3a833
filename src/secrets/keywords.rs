//! Which lines of a text hold a rule keyword, found without walking the full keyword automaton
//! over every byte.
//!
//! Rule keywords never hold a line feed, so every keyword occurrence lies on one line, and every
//! occurrence of a keyword holds an occurrence of a *minimal* keyword (one that holds no other
//! keyword: `token` for `api_token`, `ey` for `key`). [`LineFinder`] is a small Aho-Corasick DFA
//! over the minimal keywords alone, ASCII case-insensitive like the keyword automaton: each
//! state's row is 64 two-byte entries, so the states that a walk over ordinary text visits stay in
//! the first-level cache. It walks four parts of the text (split at line starts) in lockstep, so
//! the processor overlaps the four chains of table loads. The lines it reports (adjacent ones
//! joined) are exactly the lines that hold a keyword; the full automaton then runs on those lines
//! only and finds every occurrence it would have found over the whole text.

/// Bytes per state row, as a shift: at most 63 distinct (case-folded) keyword bytes, class 0 being
/// every other byte.
const STRIDE2: u32 = 6;
/// The start state, and the state right after a minimal keyword ended (its row is the start
/// state's: the walk starts afresh, which can only miss keywords overlapping the one found, on
/// the same line).
const START: u16 = 0;
const FOUND: u16 = 1;
/// Texts shorter than this are walked in one part.
const LANE_MIN: usize = 256;
const LANES: usize = 4;

/// The small DFA over the minimal keywords (see the module documentation).
#[derive(Debug)]
pub struct LineFinder {
    classes: [u8; 256],
    trans: Vec<u16>,
}

impl LineFinder {
    /// `None` when the keywords do not fit the compact form (an empty keyword, a line feed in
    /// one, more than 63 distinct bytes, more than 65,535 states): then the caller walks the full
    /// automaton over the whole text.
    pub fn new<K: AsRef<[u8]>>(keywords: &[K]) -> Option<LineFinder> {
        let mut words: Vec<Vec<u8>> = keywords
            .iter()
            .map(|k| k.as_ref().to_ascii_lowercase())
            .collect();
        if words.is_empty() || words.iter().any(|w| w.is_empty() || w.contains(&b'\n')) {
            return None;
        }
        words.sort();
        words.dedup();
        let all = words.clone();
        words.retain(|w| {
            !all.iter()
                .any(|o| o != w && memchr::memmem::find(w, o).is_some())
        });
        let mut classes = [0u8; 256];
        let mut next_class = 1usize;
        for &b in words.iter().flatten() {
            if classes[usize::from(b)] == 0 {
                if next_class >= 1 << STRIDE2 {
                    return None;
                }
                classes[usize::from(b)] = next_class as u8;
                classes[usize::from(b.to_ascii_uppercase())] = next_class as u8;
                next_class += 1;
            }
        }
        let stride = 1usize << STRIDE2;
        // The trie: `goto[s][c]` is the child, `NONE` when there is none; a keyword's last byte
        // leads to FOUND (minimal keywords are no prefix of one another).
        const NONE: u16 = u16::MAX;
        let mut goto: Vec<Vec<u16>> = vec![vec![NONE; stride], vec![NONE; stride]];
        for w in &words {
            let mut s = usize::from(START);
            for (i, &b) in w.iter().enumerate() {
                let c = usize::from(classes[usize::from(b)]);
                if i + 1 == w.len() {
                    goto[s][c] = FOUND;
                } else {
                    if goto[s][c] == NONE {
                        if goto.len() >= usize::from(NONE) {
                            return None;
                        }
                        goto.push(vec![NONE; stride]);
                        goto[s][c] = (goto.len() - 1) as u16;
                    }
                    s = usize::from(goto[s][c]);
                }
            }
        }
        // The DFA: breadth first, each missing edge takes its failure state's transition.
        let mut trans = vec![START; goto.len() * stride];
        let mut fail = vec![usize::from(START); goto.len()];
        let mut queue = std::collections::VecDeque::new();
        for c in 0..stride {
            let t = goto[0][c];
            if t != NONE {
                trans[c] = t;
                if t != FOUND {
                    queue.push_back(usize::from(t));
                }
            }
        }
        let (root, found) = trans.split_at_mut(stride);
        found[..stride].copy_from_slice(root);
        while let Some(s) = queue.pop_front() {
            for c in 0..stride {
                let t = goto[s][c];
                let f = trans[fail[s] * stride + c];
                if t == NONE {
                    trans[s * stride + c] = f;
                } else {
                    trans[s * stride + c] = t;
                    if t != FOUND {
                        fail[usize::from(t)] = usize::from(f);
                        queue.push_back(usize::from(t));
                    }
                }
            }
        }
        Some(LineFinder { classes, trans })
    }

    #[inline(always)]
    fn step(&self, s: u16, b: u8) -> u16 {
        let i = (usize::from(s) << STRIDE2) | usize::from(self.classes[usize::from(b)]);
        // Every state's row is whole and every entry is a state: `i` is in bounds.
        self.trans[i]
    }

    /// The lines of `text` that hold a keyword, as byte ranges (start, end after the line feed),
    /// in order; adjacent lines are one range.
    pub fn lines(&self, text: &[u8], out: &mut Vec<(usize, usize)>) {
        out.clear();
        // Where minimal keywords end (one per found run; enough to name their lines).
        let mut ends: Vec<usize> = Vec::new();
        if text.len() < LANE_MIN {
            self.walk(text, 0, text.len(), START, &mut ends);
        } else {
            let mut bounds = [0usize; LANES + 1];
            bounds[LANES] = text.len();
            for l in 1..LANES {
                let at = (text.len() * l / LANES).max(bounds[l - 1]);
                bounds[l] = memchr::memchr(b'\n', &text[at..]).map_or(text.len(), |i| at + i + 1);
            }
            let n = (0..LANES)
                .map(|l| bounds[l + 1] - bounds[l])
                .min()
                .unwrap_or(0);
            let mut s = [START; LANES];
            let parts: [&[u8]; LANES] = std::array::from_fn(|l| &text[bounds[l]..bounds[l] + n]);
            for k in 0..n {
                let mut any = false;
                for (s, part) in s.iter_mut().zip(&parts) {
                    *s = self.step(*s, part[k]);
                    any |= *s == FOUND;
                }
                if any {
                    for (l, s) in s.iter().enumerate() {
                        if *s == FOUND {
                            ends.push(bounds[l] + k + 1);
                        }
                    }
                }
            }
            for (l, &s) in s.iter().enumerate() {
                self.walk(text, bounds[l] + n, bounds[l + 1], s, &mut ends);
            }
            ends.sort_unstable();
        }
        for e in ends {
            if out.last().is_some_and(|l| e <= l.1) {
                continue;
            }
            let at = e - 1;
            let start = memchr::memrchr(b'\n', &text[..at]).map_or(0, |i| i + 1);
            let end = memchr::memchr(b'\n', &text[at..]).map_or(text.len(), |i| at + i + 1);
            match out.last_mut() {
                Some(l) if l.1 == start => l.1 = end,
                _ => out.push((start, end)),
            }
        }
    }

    fn walk(&self, text: &[u8], from: usize, to: usize, mut s: u16, ends: &mut Vec<usize>) {
        for (i, &b) in text[from..to].iter().enumerate() {
            s = self.step(s, b);
            if s == FOUND {
                ends.push(from + i + 1);
            }
        }
    }
}

/// Every occurrence of every keyword, found without an automaton: each place of the text is
/// checked against the keywords that begin with its first two bytes (ASCII case-insensitive, as
/// the keyword automaton), found in a table indexed by those two bytes. Nothing to build but one
/// counting sort, and a few comparisons per byte: for the first few KB a rule set scans, such
/// as the lines a command shows. Occurrences come in the order of their starts.
#[derive(Debug)]
pub struct ByFirstByte {
    /// Keywords of a single byte: (index, lowercase byte). Rare.
    single: Vec<(usize, u8)>,
    /// `starts[p]..starts[p + 1]` is where the keywords beginning with the lowercase pair
    /// `p = (first << 8) | second` are in `words`.
    starts: Box<[u32]>,
    /// The keywords of two bytes or more (index, lowercase), grouped by their first pair, each
    /// group in keyword order.
    words: Vec<(usize, Box<[u8]>)>,
}

impl ByFirstByte {
    /// `None` when a keyword is empty: it occurs at every place, which the automaton reports
    /// and this search would not.
    pub fn new<K: AsRef<[u8]>>(keywords: &[K]) -> Option<ByFirstByte> {
        let pair = |k: &[u8]| usize::from(k[0]) << 8 | usize::from(k[1]);
        let mut single = Vec::new();
        let mut long: Vec<(usize, Box<[u8]>)> = Vec::with_capacity(keywords.len());
        for (i, k) in keywords.iter().enumerate() {
            let k = k.as_ref().to_ascii_lowercase();
            match k.len() {
                0 => return None,
                1 => single.push((i, k[0])),
                _ => long.push((i, k.into_boxed_slice())),
            }
        }
        // Grouped by first pair; a stable sort, so each group keeps the keywords' order.
        long.sort_by_key(|(_, k)| pair(k));
        let mut starts = vec![0u32; (1 << 16) + 1].into_boxed_slice();
        for (_, k) in &long {
            starts[pair(k) + 1] += 1;
        }
        for p in 1..starts.len() {
            starts[p] += starts[p - 1];
        }
        Some(ByFirstByte {
            single,
            starts,
            words: long,
        })
    }

    /// Calls `on_hit(keyword, start)` for each occurrence, overlapping ones included.
    pub fn find_overlapping(&self, text: &[u8], on_hit: &mut dyn FnMut(usize, usize)) {
        for at in 0..text.len() {
            let first = text[at].to_ascii_lowercase();
            for &(k, b) in &self.single {
                if b == first {
                    on_hit(k, at);
                }
            }
            let Some(&second) = text.get(at + 1) else {
                continue;
            };
            let p = usize::from(first) << 8 | usize::from(second.to_ascii_lowercase());
            let (from, to) = (self.starts[p] as usize, self.starts[p + 1] as usize);
            for (k, word) in &self.words[from..to] {
                if text[at + 2..]
                    .get(..word.len() - 2)
                    .is_some_and(|t| t.eq_ignore_ascii_case(&word[2..]))
                {
                    on_hit(*k, at);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator (xorshift), so a failure names its seed.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    /// The lines holding a keyword, the plain way: every line, every keyword.
    fn naive(text: &[u8], words: &[&str]) -> Vec<(usize, usize)> {
        let mut out: Vec<(usize, usize)> = Vec::new();
        let mut start = 0;
        while start < text.len() {
            let end = memchr::memchr(b'\n', &text[start..]).map_or(text.len(), |i| start + i + 1);
            let line = text[start..end].to_ascii_lowercase();
            if words
                .iter()
                .any(|w| memchr::memmem::find(&line, w.to_ascii_lowercase().as_bytes()).is_some())
            {
                match out.last_mut() {
                    Some(l) if l.1 == start => l.1 = end,
                    _ => out.push((start, end)),
                }
            }
            start = end;
        }
        out
    }

    #[test]
    fn the_lines_found_are_the_lines_holding_a_keyword() {
        // Keywords holding others (`api_token`, `key`/`ey`), overlapping ones, one of two bytes.
        let words = [
            "token",
            "api_token",
            "key",
            "ey",
            "sk_live",
            "ghp_",
            "-----BEGIN",
            "aws",
            "wsx",
            "q~",
            "machine",
        ];
        let finder = LineFinder::new(&words).unwrap();
        let pieces = [
            "TOKEN",
            "tok",
            "en",
            "Api_Token",
            "kEy",
            "e",
            "y",
            "sk_",
            "live",
            "GHP_",
            "-----begin",
            "AW",
            "S",
            "wsX",
            "q",
            "~",
            "mach",
            "ine",
            " ",
            "=",
            "\n",
            "\r\n",
            "\n\n",
            "x",
            "é",
            "\0",
            "\u{7f}",
        ];
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let mut out = Vec::new();
        for round in 0..3000 {
            let n = rng.below(if round % 2 == 0 { 40 } else { 400 });
            let text: String = (0..n).map(|_| pieces[rng.below(pieces.len())]).collect();
            finder.lines(text.as_bytes(), &mut out);
            assert_eq!(
                out,
                naive(text.as_bytes(), &words),
                "round {round}: {text:?}"
            );
        }
    }

    /// [`ByFirstByte`] finds every occurrence the keyword automaton's overlapping search finds
    /// (ASCII case-insensitive, overlapping ones, keywords holding others, non-ASCII bytes,
    /// keywords of one byte and of two).
    #[test]
    fn by_first_byte_finds_what_the_overlapping_search_finds() {
        let words = [
            "token",
            "api_token",
            "key",
            "ey",
            "eye",
            "aaa",
            "sk_live",
            "ghp_",
            "-----BEGIN",
            "é",
            "q~",
            "x",
            "xy",
        ];
        let pieces = [
            "TOKEN", "Api_", "tok", "en", "kEy", "e", "y", "A", "a", "sk_", "LIVE", "ghp_",
            "-----", "begin", "é", "É", "q", "~", "X", "y", " ", "\n", "\0",
        ];
        let lower: Vec<String> = words.iter().map(|w| w.to_ascii_lowercase()).collect();
        let by = ByFirstByte::new(&lower).unwrap();
        assert!(ByFirstByte::new(&["token", ""]).is_none());
        let ac = aho_corasick::AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .build(&lower)
            .unwrap();
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        for round in 0..3000 {
            let n = rng.below(60);
            let text: String = (0..n).map(|_| pieces[rng.below(pieces.len())]).collect();
            let mut got = Vec::new();
            by.find_overlapping(text.as_bytes(), &mut |k, at| got.push((at, k)));
            let mut want: Vec<(usize, usize)> = ac
                .find_overlapping_iter(text.as_bytes())
                .map(|m| (m.start(), m.pattern().as_usize()))
                .collect();
            want.sort_unstable();
            got.sort_unstable();
            assert_eq!(got, want, "round {round}: {text:?}");
        }
    }

    #[test]
    fn keywords_that_do_not_fit_are_refused() {
        assert!(LineFinder::new::<&str>(&[]).is_none());
        assert!(LineFinder::new(&["", "token"]).is_none());
        assert!(LineFinder::new(&["a\nb"]).is_none());
        // 64 distinct bytes: one more class than a row holds.
        let many: Vec<Vec<u8>> = (0u8..64).map(|b| vec![0x80 + b]).collect();
        assert!(LineFinder::new(&many).is_none());
        assert!(LineFinder::new(&many[..63]).is_some());
    }
}
