//! Every JSON request body and query string the HTTP adapter decodes, plus the
//! preferences merge patch: no input may panic, and a merge follows RFC 7396.
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
    // RFC 7396 at the top level: a null in the patch removes the key, a non-object
    // value replaces it, and keys the patch does not name keep their values.
    if let Ok(preferences) = Preferences::parse(document) {
        let before = preferences.as_value();
        if let Ok(merged) = preferences.merged(patch.clone()) {
            let (Some(after), Some(patch)) = (merged.as_value().as_object().cloned(), patch.as_object()) else {
                return;
            };
            for (key, value) in patch {
                match value {
                    serde_json::Value::Null => assert!(!after.contains_key(key), "null removes {key}"),
                    serde_json::Value::Object(_) => assert!(after.contains_key(key), "an object patch keeps {key}"),
                    other => assert_eq!(after.get(key), Some(other), "a value replaces {key}"),
                }
            }
            if let Some(before) = before.as_object() {
                for (key, value) in before.iter().filter(|(key, _)| !patch.contains_key(*key)) {
                    assert_eq!(after.get(key), Some(value), "{key} was not in the patch");
                }
            }
        }
    }
});
