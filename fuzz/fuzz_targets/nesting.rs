#![no_main]
// The nesting guard decides with a byte scan whether html5ever's tokenizer would find tags
// nested deeper than its limit; this target checks the two agree on any input.
libfuzzer_sys::fuzz_target!(|data: &[u8]| postbook::fuzzing::nesting(data));
