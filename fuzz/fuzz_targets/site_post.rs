#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| postbook::fuzzing::site_post(data));
