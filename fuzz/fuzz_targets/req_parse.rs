//! REQ validation: never panics; what it accepts is safe as a file name, branch part and subject.
#![no_main]
use berry::req::ReqNumber;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(raw) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(req) = ReqNumber::parse(raw) {
        let s = req.as_str();
        assert!(s.starts_with("REQ-") && s.len() <= 128, "accepted {s:?}");
        assert!(
            s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'),
            "accepted unsafe characters: {s:?}"
        );
        assert!(
            !s.ends_with('-') && !s.contains("--"),
            "accepted an empty group: {s:?}"
        );
        // Parsing what was accepted gives the same REQ.
        assert_eq!(ReqNumber::parse(s).expect("reparse").as_str(), s);
    }
});
