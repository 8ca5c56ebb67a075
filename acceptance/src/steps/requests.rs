//! Raw HTTP requests, as a user, anonymously or with an arbitrary bearer token.

use anyhow::{anyhow, Result};
use cucumber::gherkin::Step;
use cucumber::{given, when};
use reqwest::Method;

use crate::world::{ApiRequest, TenantryWorld};

pub(crate) fn method(name: &str) -> Result<Method> {
    Method::from_bytes(name.as_bytes()).map_err(|e| anyhow!("HTTP method {name:?}: {e}"))
}

pub(crate) fn docstring(step: &Step) -> Result<&str> {
    step.docstring().map(|text| text.trim()).ok_or_else(|| anyhow!("this step needs a \"\"\" docstring \"\"\" body"))
}

/// The docstring as JSON text, refusing typos in the feature (the raw-body step is
/// the way to send malformed JSON on purpose).
pub(crate) fn json_docstring(world: &TenantryWorld, step: &Step) -> Result<String> {
    let body = world.interpolate(docstring(step)?)?;
    serde_json::from_str::<serde_json::Value>(&body)
        .map_err(|e| anyhow!("the step's docstring is not JSON ({e}): {body}"))?;
    Ok(body)
}

pub(crate) async fn send(
    world: &mut TenantryWorld,
    bearer: Option<String>,
    method_name: &str,
    path: &str,
    body: Option<String>,
) -> Result<()> {
    let mut request = ApiRequest::new(method(method_name)?, world.interpolate(path)?);
    request.bearer = bearer;
    request.json_body = body;
    world.send(request).await?;
    Ok(())
}

#[given("the service is running")]
async fn the_service_is_running(world: &mut TenantryWorld) -> Result<()> {
    world.app().await?;
    Ok(())
}

#[given(regex = r#"^the next request has header "([^"]+)" set to "([^"]*)"$"#)]
fn next_request_header(world: &mut TenantryWorld, name: String, value: String) -> Result<()> {
    let value = world.interpolate(&value)?;
    world.queue_header(name, value);
    Ok(())
}

#[when(regex = r#"^"([^"]+)" sends (GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) "([^"]*)"$"#)]
async fn user_sends(world: &mut TenantryWorld, name: String, method: String, path: String) -> Result<()> {
    let token = world.access_token(&name)?;
    send(world, Some(token), &method, &path, None).await
}

#[when(regex = r#"^"([^"]+)" sends (GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) "([^"]*)" with:$"#)]
async fn user_sends_json(
    world: &mut TenantryWorld,
    name: String,
    method: String,
    path: String,
    step: &Step,
) -> Result<()> {
    let token = world.access_token(&name)?;
    let body = json_docstring(world, step)?;
    send(world, Some(token), &method, &path, Some(body)).await
}

#[when(regex = r#"^an anonymous client sends (GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) "([^"]*)"$"#)]
async fn anonymous_sends(world: &mut TenantryWorld, method: String, path: String) -> Result<()> {
    send(world, None, &method, &path, None).await
}

#[when(regex = r#"^an anonymous client sends (GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) "([^"]*)" with:$"#)]
async fn anonymous_sends_json(world: &mut TenantryWorld, method: String, path: String, step: &Step) -> Result<()> {
    let body = json_docstring(world, step)?;
    send(world, None, &method, &path, Some(body)).await
}

#[when(regex = r#"^an anonymous client sends (GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) "([^"]*)" with the raw body:$"#)]
async fn anonymous_sends_raw(world: &mut TenantryWorld, method: String, path: String, step: &Step) -> Result<()> {
    let body = docstring(step)?.to_owned();
    send(world, None, &method, &path, Some(body)).await
}

#[when(
    regex = r#"^a client with the bearer token "([^"]*)" sends (GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) "([^"]*)"$"#
)]
async fn bearer_sends(world: &mut TenantryWorld, token: String, method: String, path: String) -> Result<()> {
    let token = world.interpolate(&token)?;
    send(world, Some(token), &method, &path, None).await
}

#[when(regex = r#"^the response JSON at "([^"]*)" is remembered as "([A-Za-z_][A-Za-z0-9_-]*)"$"#)]
fn remember_json(world: &mut TenantryWorld, path: String, name: String) -> Result<()> {
    let value = crate::json::as_text(world.last_response()?.json_at(&path)?);
    world.remember(name, value);
    Ok(())
}

#[when(regex = r#"^the response header "([^"]+)" is remembered as "([A-Za-z_][A-Za-z0-9_-]*)"$"#)]
fn remember_header(world: &mut TenantryWorld, header: String, name: String) -> Result<()> {
    let response = world.last_response()?;
    let value =
        response.header(&header).ok_or_else(|| anyhow!("no {header} header to remember\n{response}"))?.to_owned();
    world.remember(name, value);
    Ok(())
}

#[given(regex = r#"^the server setting "([a-z_.]+)" is "([^"]*)"$"#)]
async fn server_setting(world: &mut TenantryWorld, key: String, value: String) -> anyhow::Result<()> {
    world.override_setting(&key, &value)
}
