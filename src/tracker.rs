//! `OWNER_REQUESTS.md` (SPEC §5.3). This first part only reads an entry's title; the editing half
//! arrives with the tracker issue.

/// The title of `### <REQ>: <Title>`, when the heading is present once and has a title.
pub fn title(text: &str, req: &str) -> Option<String> {
    let mut found = None;
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        let Some(rest) = line.strip_prefix("### ") else {
            continue;
        };
        let rest = rest.trim_start();
        let Some(after) = rest.strip_prefix(req) else {
            continue;
        };
        if let Some(t) = after.strip_prefix(':') {
            if found.is_some() {
                return None;
            }
            found = Some(t.trim().to_string()).filter(|t| !t.is_empty());
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_titles_of_real_entries() {
        let text = include_str!("../tests/fixtures/agogsaas/owner_requests_entries_verbatim.md");
        assert_eq!(
            title(text, "REQ-ITEM-MASTER-001").as_deref(),
            Some("Item Master Pattern Implementation")
        );
        assert_eq!(title(text, "REQ-ITEM-MASTER-00"), None);
        let dup =
            include_str!("../tests/fixtures/agogsaas/owner_requests_duplicate_entries_684767e.md");
        assert_eq!(title(dup, "REQ-STRATEGIC-AUTO-1766516859233"), None);
    }
}
