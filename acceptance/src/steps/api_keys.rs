//! Organization API keys: create one as a user, then call the API with it.
//!
//! A key created as `"ci"` is remembered as `{ci.id}` and `{ci.secret}`.

use anyhow::{anyhow, Result};
use cucumber::{given, when};
use serde_json::json;

use crate::world::{ApiRequest, TenantryWorld};

#[given(regex = r#"^"([^"]+)" created an API key "([^"]+)" for "([^"]+)" with scopes "([^"]*)"$"#)]
async fn created_an_api_key(
    world: &mut TenantryWorld,
    user: String,
    key: String,
    organization: String,
    scopes: String,
) -> Result<()> {
    let token = world.access_token(&user)?;
    let tenant = world.interpolate(&format!("{{{organization}.id}}"))?;
    let scopes: Vec<&str> = scopes.split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
    let request = ApiRequest::post(format!("/api/v1/organizations/{tenant}/api-keys"))
        .bearer(token)
        .json(&json!({"name": key, "scopes": scopes}));
    world.send(request).await?;
    world.expect_status(201, &format!("creating the API key {key:?}"))?;
    let created = world.last_response()?.json()?.clone();
    let field = |name: &str| {
        created[name].as_str().map(str::to_owned).ok_or_else(|| anyhow!("the created key has no {name}: {created}"))
    };
    let (id, secret) = (field("id")?, field("secret")?);
    world.remember(format!("{key}.id"), id);
    world.remember(format!("{key}.secret"), secret);
    Ok(())
}

#[when(regex = r#"^the API key "([^"]+)" sends (GET|POST|PUT|PATCH|DELETE) "([^"]*)"$"#)]
async fn api_key_sends(world: &mut TenantryWorld, key: String, method: String, path: String) -> Result<()> {
    let secret = world.interpolate(&format!("{{{key}.secret}}"))?;
    super::requests::send(world, Some(secret), &method, &path, None).await
}

#[when(regex = r#"^the API key "([^"]+)" sends (GET|POST|PUT|PATCH|DELETE) "([^"]*)" with:$"#)]
async fn api_key_sends_json(
    world: &mut TenantryWorld,
    key: String,
    method: String,
    path: String,
    step: &cucumber::gherkin::Step,
) -> Result<()> {
    let secret = world.interpolate(&format!("{{{key}.secret}}"))?;
    let body = super::requests::json_docstring(world, step)?;
    super::requests::send(world, Some(secret), &method, &path, Some(body)).await
}
