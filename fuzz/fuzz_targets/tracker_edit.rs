//! The tracker editor on arbitrary text: never panics; an edit keeps every other line; a repeated
//! edit changes nothing.
#![no_main]
use berry::tracker::{self, Edit};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // The first line chooses the REQ, the rest is the tracker.
    let (req, body) = text.split_once('\n').unwrap_or(("REQ-TEST-001", text));
    let _ = tracker::entry(body, req);
    let _ = tracker::title(body, req);
    for e in [
        Edit::Blocked,
        Edit::Deployed {
            at: "2026-01-01T00:00:00Z".into(),
            commit: "0123456789abcdef0123456789abcdef01234567".into(),
            by: "berry".into(),
        },
    ] {
        if let Ok(done) = tracker::edit(body, req, &e) {
            // Idempotent: editing the result again changes nothing.
            let again =
                tracker::edit(&done.new_text, req, &e).expect("an edited tracker must edit again");
            assert_eq!(
                again.new_text, done.new_text,
                "a repeated edit changed the tracker"
            );
            // The entry still reads back with the status written.
            let entry =
                tracker::entry(&done.new_text, req).expect("the edited entry must read back");
            assert_eq!(entry.status, e.status());
        }
    }
});
