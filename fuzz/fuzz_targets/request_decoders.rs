//! Every JSON request body and query string the HTTP adapter decodes, plus the
//! preferences merge patch: no input may panic, and an accepted preferences document
//! stays within its limits after any patch.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tenantry_domain::identity::Preferences;

fuzz_target!(|data: &[u8]| {
    tenantry_http::fuzzing::decode_json_bodies(data);
    if let Ok(query) = std::str::from_utf8(data) {
        tenantry_http::fuzzing::decode_query_strings(query);
    }
    // A document and a patch: the input split at its first NUL.
    let (document, patch) = match data.iter().position(|b| *b == 0) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &b"{}"[..]),
    };
    let (Ok(document), Ok(patch)) =
        (serde_json::from_slice::<serde_json::Value>(document), serde_json::from_slice::<serde_json::Value>(patch))
    else {
        return;
    };
    if let Ok(preferences) = Preferences::parse(document) {
        if let Ok(merged) = preferences.merged(patch) {
            let again = Preferences::parse(merged.as_value());
            assert!(again.is_ok(), "a merged document must satisfy the limits it was checked against");
        }
    }
});
