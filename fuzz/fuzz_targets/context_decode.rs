//! REQ context decoding: never panics; what decodes belongs to the REQ asked for and re-encodes
//! to something that decodes to the same context.
#![no_main]
use berry::context::decode_bytes;
use berry::req::ReqNumber;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let req = ReqNumber::parse("REQ-TEST-001").expect("req");
    if let Ok(ctx) = decode_bytes(data, &req) {
        assert_eq!(ctx.req, req);
        let bytes = serde_json::to_vec(&ctx).expect("encode");
        let back = decode_bytes(&bytes, &req).expect("a decoded context re-decodes");
        assert_eq!(back, ctx);
    }
});
