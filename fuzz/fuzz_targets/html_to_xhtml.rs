#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let xhtml = postbook::fuzzing::html_to_xhtml(data);
    if let Err(e) = roxmltree::Document::parse(&xhtml) {
        panic!("ill-formed XHTML ({e}):\n{xhtml}");
    }
});
