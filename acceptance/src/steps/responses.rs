//! Assertions on the last response: status, error envelope, JSON body, headers.
//!
//! Every failure message quotes the whole exchange, so a red scenario says what was
//! sent and what came back without rerunning anything.

use std::collections::BTreeSet;

use anyhow::{anyhow, bail, ensure, Result};
use cucumber::gherkin::Step;
use cucumber::then;
use serde_json::Value;

use crate::json;
use crate::world::{RecordedResponse, TenantryWorld};

/// The four keys of every non-2xx body (API.md, "Errors").
const ERROR_ENVELOPE: [&str; 4] = ["details", "error_code", "message", "request_id"];

fn last(world: &TenantryWorld) -> Result<&RecordedResponse> {
    world.last_response()
}

fn details(response: &RecordedResponse) -> Result<Vec<(String, String)>> {
    let items =
        response.json_at("details")?.as_array().ok_or_else(|| anyhow!("\"details\" is not an array\n{response}"))?;
    items
        .iter()
        .map(|item| {
            let text = |key: &str| item.get(key).and_then(Value::as_str).map(str::to_owned);
            text("field")
                .zip(text("issue"))
                .ok_or_else(|| anyhow!("detail {item} lacks a string field or issue\n{response}"))
        })
        .collect()
}

#[then(regex = r"^the response status is (\d{3})$")]
fn status_is(world: &mut TenantryWorld, expected: u16) -> Result<()> {
    let response = last(world)?;
    ensure!(response.status == expected, "expected status {expected}, got {}\n{response}", response.status);
    Ok(())
}

#[then(regex = r#"^the error code is "([^"]*)"$"#)]
fn error_code_is(world: &mut TenantryWorld, expected: String) -> Result<()> {
    let response = last(world)?;
    let actual = response.json_at("error_code")?;
    ensure!(actual.as_str() == Some(expected.as_str()), "expected error_code {expected:?}, got {actual}\n{response}");
    Ok(())
}

#[then("the response is an error envelope")]
fn is_error_envelope(world: &mut TenantryWorld) -> Result<()> {
    let response = last(world)?;
    ensure!(!(200..300).contains(&response.status), "expected an error status, got {}\n{response}", response.status);
    let body =
        response.json()?.as_object().ok_or_else(|| anyhow!("the error body is not a JSON object\n{response}"))?;
    let keys: BTreeSet<&str> = body.keys().map(String::as_str).collect();
    ensure!(
        keys == BTreeSet::from(ERROR_ENVELOPE),
        "the error body has keys {keys:?}, expected exactly {ERROR_ENVELOPE:?}\n{response}"
    );
    for key in ["error_code", "message", "request_id"] {
        ensure!(
            body[key].as_str().is_some_and(|s| !s.trim().is_empty()),
            "{key:?} must be a non-empty string\n{response}"
        );
    }
    ensure!(body["details"].is_array(), "\"details\" must be an array\n{response}");
    Ok(())
}

#[then(regex = r#"^the response JSON at "([^"]*)" is "([^"]*)"$"#)]
fn json_is_string(world: &mut TenantryWorld, path: String, expected: String) -> Result<()> {
    let expected = world.interpolate(&expected)?;
    let response = last(world)?;
    let actual = response.json_at(&path)?;
    ensure!(
        actual.as_str() == Some(expected.as_str()),
        "expected {path:?} to be {expected:?}, got {actual}\n{response}"
    );
    Ok(())
}

#[then(regex = r#"^the response JSON at "([^"]*)" equals (.+)$"#)]
fn json_equals(world: &mut TenantryWorld, path: String, literal: String) -> Result<()> {
    let expected: Value = serde_json::from_str(&world.interpolate(&literal)?)
        .map_err(|e| anyhow!("{literal:?} in the feature is not a JSON value: {e}"))?;
    let response = last(world)?;
    let actual = response.json_at(&path)?;
    ensure!(*actual == expected, "expected {path:?} to equal {expected}, got {actual}\n{response}");
    Ok(())
}

#[then(regex = r#"^the response JSON at "([^"]*)" starts with "([^"]*)"$"#)]
fn json_starts_with(world: &mut TenantryWorld, path: String, prefix: String) -> Result<()> {
    let response = last(world)?;
    let actual = response.json_at(&path)?;
    ensure!(
        actual.as_str().is_some_and(|s| s.starts_with(&prefix)),
        "expected {path:?} to start with {prefix:?}, got {actual}\n{response}"
    );
    Ok(())
}

#[then(
    regex = r#"^the response JSON at "([^"]*)" is an? (string|non-empty string|number|integer|boolean|array|object|null|UUID|timestamp|JWT)$"#
)]
fn json_is_a(world: &mut TenantryWorld, path: String, kind: String) -> Result<()> {
    let response = last(world)?;
    let value = response.json_at(&path)?;
    let text = value.as_str();
    let matches = match kind.as_str() {
        "string" => value.is_string(),
        "non-empty string" => text.is_some_and(|s| !s.trim().is_empty()),
        "number" => value.is_number(),
        "integer" => value.is_i64() || value.is_u64(),
        "boolean" => value.is_boolean(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        "null" => value.is_null(),
        "UUID" => text.is_some_and(|s| uuid::Uuid::parse_str(s).is_ok()),
        // API.md: RFC 3339, UTC.
        "timestamp" => text
            .is_some_and(|s| chrono::DateTime::parse_from_rfc3339(s).is_ok_and(|t| t.offset().local_minus_utc() == 0)),
        "JWT" => text.is_some_and(|s| {
            let parts: Vec<_> = s.split('.').collect();
            parts.len() == 3 && parts.iter().all(|p| !p.is_empty())
        }),
        other => bail!("unknown kind {other:?}"),
    };
    ensure!(matches, "expected {path:?} to be a {kind}, got {value}\n{response}");
    Ok(())
}

#[then(regex = r#"^the response JSON at "([^"]*)" has (\d+) entr(?:y|ies)$"#)]
fn json_has_entries(world: &mut TenantryWorld, path: String, expected: usize) -> Result<()> {
    let response = last(world)?;
    let value = response.json_at(&path)?;
    let len = match value {
        Value::Array(items) => items.len(),
        Value::Object(map) => map.len(),
        other => bail!("{path:?} is neither an array nor an object: {other}\n{response}"),
    };
    ensure!(len == expected, "expected {path:?} to have {expected} entries, it has {len}\n{response}");
    Ok(())
}

#[then(regex = r#"^the response JSON at "([^"]*)" has key "([^"]*)"$"#)]
fn json_has_key(world: &mut TenantryWorld, path: String, key: String) -> Result<()> {
    let response = last(world)?;
    let value = response.json_at(&path)?;
    ensure!(value.get(&key).is_some(), "expected {path:?} to have the key {key:?}\n{response}");
    Ok(())
}

/// The array at `path` as feature text, one entry per element.
fn texts_at(response: &RecordedResponse, path: &str) -> Result<Vec<String>> {
    let items = response.json_at(path)?.as_array().ok_or_else(|| anyhow!("{path:?} is not an array\n{response}"))?;
    Ok(items.iter().map(json::as_text).collect())
}

fn comma_list(text: &str) -> Vec<String> {
    text.split(',').map(str::trim).filter(|item| !item.is_empty()).map(str::to_owned).collect()
}

#[then(regex = r#"^the response JSON at "([^"]*)" includes "([^"]*)"$"#)]
fn json_includes(world: &mut TenantryWorld, path: String, item: String) -> Result<()> {
    let item = world.interpolate(&item)?;
    let response = last(world)?;
    let items = texts_at(response, &path)?;
    ensure!(items.contains(&item), "expected {path:?} to include {item:?}, it holds {items:?}\n{response}");
    Ok(())
}

#[then(regex = r#"^the response JSON at "([^"]*)" does not include "([^"]*)"$"#)]
fn json_excludes(world: &mut TenantryWorld, path: String, item: String) -> Result<()> {
    let item = world.interpolate(&item)?;
    let response = last(world)?;
    let items = texts_at(response, &path)?;
    ensure!(!items.contains(&item), "expected {path:?} not to include {item:?}, it holds {items:?}\n{response}");
    Ok(())
}

/// Every listed entry, in any order, each once, and nothing else.
#[then(regex = r#"^the response JSON at "([^"]*)" lists exactly "([^"]*)" in any order$"#)]
fn json_lists_exactly(world: &mut TenantryWorld, path: String, expected: String) -> Result<()> {
    let mut expected = comma_list(&world.interpolate(&expected)?);
    let response = last(world)?;
    let mut actual = texts_at(response, &path)?;
    expected.sort_unstable();
    actual.sort_unstable();
    ensure!(actual == expected, "expected {path:?} to hold exactly {expected:?}, it holds {actual:?}\n{response}");
    Ok(())
}

/// The value of `field` in each object of the array at `path`, in order: how a
/// feature checks what a list holds and how it is sorted.
#[then(regex = r#"^the response JSON at "([^"]*)" has the "([^"]+)" values "([^"]*)"$"#)]
fn json_field_values(world: &mut TenantryWorld, path: String, field: String, expected: String) -> Result<()> {
    let expected = comma_list(&world.interpolate(&expected)?);
    let response = last(world)?;
    let items = response.json_at(&path)?.as_array().ok_or_else(|| anyhow!("{path:?} is not an array\n{response}"))?;
    let actual: Vec<String> = items
        .iter()
        .map(|item| item.get(&field).map(json::as_text).ok_or_else(|| anyhow!("{item} has no {field:?}\n{response}")))
        .collect::<Result<_>>()?;
    ensure!(actual == expected, "expected the {field:?} values {expected:?} in {path:?}, got {actual:?}\n{response}");
    Ok(())
}

#[then(regex = r#"^the response JSON at "([^"]*)" has exactly the fields "([^"]*)"$"#)]
fn json_has_exactly_fields(world: &mut TenantryWorld, path: String, fields: String) -> Result<()> {
    let response = last(world)?;
    let expected: BTreeSet<&str> = fields.split(',').map(str::trim).filter(|f| !f.is_empty()).collect();
    let value = response.json_at(&path)?;
    let object = value.as_object().ok_or_else(|| anyhow!("{path:?} is not a JSON object\n{response}"))?;
    let actual: BTreeSet<&str> = object.keys().map(String::as_str).collect();
    ensure!(
        actual == expected,
        "expected {path:?} to have exactly the fields {expected:?}, got {actual:?}\n{response}"
    );
    Ok(())
}

/// Two timestamps of the body `days` apart, to the second (both are set from one
/// clock reading, or within the same request).
#[then(regex = r#"^the response JSON at "([^"]*)" is (\d+) days? after the one at "([^"]*)"$"#)]
fn json_days_after(world: &mut TenantryWorld, later: String, days: i64, earlier: String) -> Result<()> {
    let response = last(world)?;
    let time = |path: &str| -> Result<chrono::DateTime<chrono::FixedOffset>> {
        let value = response.json_at(path)?;
        value
            .as_str()
            .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
            .ok_or_else(|| anyhow!("{path:?} is not an RFC 3339 timestamp: {value}\n{response}"))
    };
    let gap = time(&later)? - time(&earlier)?;
    let off = (gap - chrono::Duration::days(days)).num_milliseconds().abs();
    ensure!(off <= 1_000, "expected {later:?} to be {days} days after {earlier:?}, the gap is {gap}\n{response}");
    Ok(())
}

#[then(regex = r#"^the response JSON at "([^"]*)" matches the response header "([^"]+)"$"#)]
fn json_matches_header(world: &mut TenantryWorld, path: String, header: String) -> Result<()> {
    let response = last(world)?;
    let value = response.json_at(&path)?;
    let header_value = response.header(&header).ok_or_else(|| anyhow!("no {header} header\n{response}"))?;
    ensure!(
        value.as_str() == Some(header_value),
        "{path:?} is {value} but the {header} header is {header_value:?}\n{response}"
    );
    Ok(())
}

#[then(regex = r#"^the response has the field "([^"]+)"$"#)]
fn has_field(world: &mut TenantryWorld, field: String) -> Result<()> {
    let response = last(world)?;
    ensure!(response.json()?.get(&field).is_some(), "expected the field {field:?}\n{response}");
    Ok(())
}

#[then(regex = r#"^the response has no field "([^"]+)"$"#)]
fn has_no_field(world: &mut TenantryWorld, field: String) -> Result<()> {
    let response = last(world)?;
    ensure!(
        !json::has_key_anywhere(response.json()?, &field),
        "the response has a {field:?} field somewhere\n{response}"
    );
    Ok(())
}

#[then(regex = r#"^the response has exactly the fields "([^"]*)"$"#)]
fn has_exactly_fields(world: &mut TenantryWorld, fields: String) -> Result<()> {
    let response = last(world)?;
    let expected: BTreeSet<&str> = fields.split(',').map(str::trim).filter(|f| !f.is_empty()).collect();
    let object = response.json()?.as_object().ok_or_else(|| anyhow!("the body is not a JSON object\n{response}"))?;
    let actual: BTreeSet<&str> = object.keys().map(String::as_str).collect();
    ensure!(actual == expected, "expected exactly the fields {expected:?}, got {actual:?}\n{response}");
    Ok(())
}

#[then(regex = r#"^the response has header "([^"]+)"$"#)]
fn has_header(world: &mut TenantryWorld, name: String) -> Result<()> {
    let response = last(world)?;
    ensure!(
        response.header(&name).is_some_and(|v| !v.trim().is_empty()),
        "expected a non-empty {name} header\n{response}"
    );
    Ok(())
}

#[then(regex = r#"^the response has no header "([^"]+)"$"#)]
fn has_no_header(world: &mut TenantryWorld, name: String) -> Result<()> {
    let response = last(world)?;
    ensure!(response.header(&name).is_none(), "expected no {name} header\n{response}");
    Ok(())
}

#[then(regex = r#"^the response header "([^"]+)" is "([^"]*)"$"#)]
fn header_is(world: &mut TenantryWorld, name: String, expected: String) -> Result<()> {
    let expected = world.interpolate(&expected)?;
    let response = last(world)?;
    let actual = response.header(&name);
    ensure!(
        actual == Some(expected.as_str()),
        "expected the {name} header to be {expected:?}, got {actual:?}\n{response}"
    );
    Ok(())
}

#[then(regex = r#"^the response header "([^"]+)" is not "([^"]*)"$"#)]
fn header_is_not(world: &mut TenantryWorld, name: String, unexpected: String) -> Result<()> {
    let unexpected = world.interpolate(&unexpected)?;
    let response = last(world)?;
    let actual = response.header(&name);
    ensure!(actual != Some(unexpected.as_str()), "expected the {name} header not to be {unexpected:?}\n{response}");
    Ok(())
}

#[then(regex = r#"^the response header "([^"]+)" contains "([^"]*)"$"#)]
fn header_contains(world: &mut TenantryWorld, name: String, needle: String) -> Result<()> {
    let needle = world.interpolate(&needle)?;
    let response = last(world)?;
    let actual = response.header(&name);
    ensure!(
        actual.is_some_and(|v| v.contains(&needle)),
        "expected the {name} header to contain {needle:?}, got {actual:?}\n{response}"
    );
    Ok(())
}

#[then(regex = r#"^the response body contains "([^"]*)"$"#)]
fn body_contains(world: &mut TenantryWorld, needle: String) -> Result<()> {
    let needle = world.interpolate(&needle)?;
    let response = last(world)?;
    ensure!(response.body.contains(&needle), "expected the body to contain {needle:?}\n{response}");
    Ok(())
}

#[then(regex = r#"^the response body does not contain "([^"]*)"$"#)]
fn body_lacks(world: &mut TenantryWorld, needle: String) -> Result<()> {
    let needle = world.interpolate(&needle)?;
    let response = last(world)?;
    ensure!(!response.body.contains(&needle), "expected the body not to contain {needle:?}\n{response}");
    Ok(())
}

#[then(regex = r#"^the response body equals the previous response body apart from "([^"]*)"$"#)]
fn body_equals_previous(world: &mut TenantryWorld, ignored: String) -> Result<()> {
    let ignored: Vec<&str> = ignored.split(',').map(str::trim).collect();
    let strip = |response: &RecordedResponse| -> Result<Value> {
        let mut body = response.json()?.clone();
        if let Some(object) = body.as_object_mut() {
            for key in &ignored {
                object.remove(*key);
            }
        }
        Ok(body)
    };
    let (now, before) = (last(world)?, world.previous_response()?);
    ensure!(
        strip(now)? == strip(before)?,
        "the two bodies differ beyond {ignored:?}\nprevious:\n{before}\nlast:\n{now}"
    );
    Ok(())
}

#[then(regex = r#"^the validation details include "([^"]+)" with issue "([^"]+)"$"#)]
fn details_include(world: &mut TenantryWorld, field: String, issue: String) -> Result<()> {
    let response = last(world)?;
    let details = details(response)?;
    ensure!(
        details.iter().any(|(f, i)| *f == field && *i == issue),
        "expected {field:?} with issue {issue:?} among the details {details:?}\n{response}"
    );
    Ok(())
}

#[then(regex = r#"^the validation details include the field "([^"]+)"$"#)]
fn details_include_field(world: &mut TenantryWorld, field: String) -> Result<()> {
    let response = last(world)?;
    let details = details(response)?;
    ensure!(details.iter().any(|(f, _)| *f == field), "expected {field:?} among the details {details:?}\n{response}");
    Ok(())
}

#[then(regex = r#"^the validation details do not include the field "([^"]+)"$"#)]
fn details_exclude_field(world: &mut TenantryWorld, field: String) -> Result<()> {
    let response = last(world)?;
    let details = details(response)?;
    ensure!(
        details.iter().all(|(f, _)| *f != field),
        "did not expect {field:?} among the details {details:?}\n{response}"
    );
    Ok(())
}

/// The table has a `field | issue` header row; order does not matter, every row must
/// be there and nothing else.
#[then("the validation details are:")]
fn details_are(world: &mut TenantryWorld, step: &Step) -> Result<()> {
    let table = step.table().ok_or_else(|| anyhow!("this step needs a | field | issue | table"))?;
    let expected: BTreeSet<(String, String)> = table
        .rows
        .iter()
        .skip(1)
        .map(|row| match row.as_slice() {
            [field, issue] => Ok((field.clone(), issue.clone())),
            other => Err(anyhow!("table rows need two cells, got {other:?}")),
        })
        .collect::<Result<_>>()?;
    let response = last(world)?;
    let actual: BTreeSet<(String, String)> = details(response)?.into_iter().collect();
    ensure!(actual == expected, "expected exactly the details {expected:?}, got {actual:?}\n{response}");
    Ok(())
}
