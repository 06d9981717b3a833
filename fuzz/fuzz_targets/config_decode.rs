//! berry.toml decoding: never panics, whatever the text.
#![no_main]
use berry::config::Config;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = Config::from_str(text, std::path::Path::new("/repo/berry.toml"));
});
