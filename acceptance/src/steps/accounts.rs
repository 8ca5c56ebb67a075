//! Users, their sessions and tokens: registration, login, refresh and logout.
//!
//! `Given` steps insist on success (they arrange the scenario, so a failure there is
//! the real failure); `When` steps only record the answer for the `Then` steps.

use anyhow::{anyhow, ensure, Result};
use cucumber::{given, then, when};

use crate::world::{Account, ApiRequest, RefreshCarrier, TenantryWorld, WhichRefreshToken};

#[given(regex = r#"^a registered user "([^"]+)"$"#)]
async fn a_registered_user(world: &mut TenantryWorld, name: String) -> Result<()> {
    world.register(&name, Account::for_name(&name)).await?;
    world.expect_status(201, &format!("registering {name:?}"))
}

#[given(regex = r#"^a registered user "([^"]+)" with email "([^"]*)"$"#)]
async fn a_registered_user_with_email(world: &mut TenantryWorld, name: String, email: String) -> Result<()> {
    let email = world.interpolate(&email)?;
    world.register(&name, Account::with_email(&name, &email)).await?;
    world.expect_status(201, &format!("registering {name:?}"))
}

#[given(regex = r#"^"([^"]+)" is logged in$"#)]
async fn is_logged_in(world: &mut TenantryWorld, name: String) -> Result<()> {
    world.log_in(&name, None, None).await?;
    world.expect_status(200, &format!("logging {name:?} in"))
}

#[given(regex = r#"^a logged-in user "([^"]+)"$"#)]
async fn a_logged_in_user(world: &mut TenantryWorld, name: String) -> Result<()> {
    a_registered_user(world, name.clone()).await?;
    is_logged_in(world, name).await
}

#[when(regex = r#"^"([^"]+)" registers$"#)]
async fn registers(world: &mut TenantryWorld, name: String) -> Result<()> {
    world.register(&name, Account::for_name(&name)).await
}

#[when(regex = r#"^"([^"]+)" registers with email "([^"]*)"$"#)]
async fn registers_with_email(world: &mut TenantryWorld, name: String, email: String) -> Result<()> {
    let email = world.interpolate(&email)?;
    world.register(&name, Account::with_email(&name, &email)).await
}

#[when(regex = r#"^"([^"]+)" logs in$"#)]
async fn logs_in(world: &mut TenantryWorld, name: String) -> Result<()> {
    world.log_in(&name, None, None).await
}

#[when(regex = r#"^"([^"]+)" logs in with password "([^"]*)"$"#)]
async fn logs_in_with_password(world: &mut TenantryWorld, name: String, password: String) -> Result<()> {
    world.log_in(&name, None, Some(&password)).await
}

#[when(regex = r#"^"([^"]+)" logs in with email "([^"]*)"$"#)]
async fn logs_in_with_email(world: &mut TenantryWorld, name: String, email: String) -> Result<()> {
    let email = world.interpolate(&email)?;
    world.log_in(&name, Some(&email), None).await
}

#[when(regex = r#"^someone logs in as "([^"]*)" with password "([^"]*)"$"#)]
async fn someone_logs_in(world: &mut TenantryWorld, email: String, password: String) -> Result<()> {
    let body = serde_json::json!({
        "email": world.interpolate(&email)?,
        "password": world.interpolate(&password)?,
    });
    world.send(crate::ApiRequest::post("/api/v1/auth/login").json(&body)).await?;
    Ok(())
}

#[when(regex = r#"^"([^"]+)" refreshes (?:her|his|their) session$"#)]
async fn refreshes(world: &mut TenantryWorld, name: String) -> Result<()> {
    world.refresh(&name, WhichRefreshToken::Current, RefreshCarrier::Header).await
}

#[when(regex = r#"^"([^"]+)" refreshes (?:her|his|their) session with (?:her|his|their) previous refresh token$"#)]
async fn refreshes_with_previous(world: &mut TenantryWorld, name: String) -> Result<()> {
    world.refresh(&name, WhichRefreshToken::Previous, RefreshCarrier::Header).await
}

#[when(regex = r#"^"([^"]+)" refreshes (?:her|his|their) session sending the refresh token in the body$"#)]
async fn refreshes_in_body(world: &mut TenantryWorld, name: String) -> Result<()> {
    world.refresh(&name, WhichRefreshToken::Current, RefreshCarrier::Body).await
}

#[when(regex = r#"^"([^"]+)" logs out$"#)]
async fn logs_out(world: &mut TenantryWorld, name: String) -> Result<()> {
    world.log_out(&name).await
}

#[then(regex = r#"^"([^"]+)" received a new token pair$"#)]
fn received_a_new_token_pair(world: &mut TenantryWorld, name: String) -> Result<()> {
    let response = world.last_response()?;
    ensure!(response.status == 200, "expected 200 with a token pair, got {}\n{response}", response.status);
    let account = world.user(&name)?;
    ensure!(account.previous_refresh_token.is_some(), "{name:?} had no refresh token before this one");
    ensure!(
        account.refresh_token != account.previous_refresh_token,
        "the refresh token was not rotated: the server sent the same one back\n{response}"
    );
    Ok(())
}

/// Forgeries of a real access token, for the attack corpus: each keeps the real
/// claims (so only the forgery can be the reason for a refusal).
#[when(
    regex = r#"^"([^"]+)" sends GET "([^"]*)" with (?:her|his|their) access token (forged with alg none|re-signed with HS256 keyed by the published public key|with a tampered payload|naming an unknown key id|without a signature)$"#
)]
async fn sends_with_forged_token(world: &mut TenantryWorld, name: String, path: String, forgery: String) -> Result<()> {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;

    let token = world.user(&name)?.access_token.clone().ok_or_else(|| anyhow!("{name:?} is not logged in"))?;
    let parts: Vec<&str> = token.split('.').collect();
    ensure!(parts.len() == 3, "the access token of {name:?} is not a JWS: {token}");
    let header: serde_json::Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0])?)?;
    let mut claims: serde_json::Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1])?)?;
    let encode_json = |value: &serde_json::Value| URL_SAFE_NO_PAD.encode(value.to_string());
    let forged = match forgery.as_str() {
        "forged with alg none" => {
            let none = serde_json::json!({"alg": "none", "typ": "JWT", "kid": header["kid"]});
            format!("{}.{}.", encode_json(&none), parts[1])
        }
        "re-signed with HS256 keyed by the published public key" => {
            let jwks = world.send(ApiRequest::get("/.well-known/jwks.json")).await?.json()?.clone();
            let x = jwks["keys"][0]["x"].as_str().ok_or_else(|| anyhow!("no key in the JWKS: {jwks}"))?.to_owned();
            let mut hs = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
            hs.kid = header["kid"].as_str().map(str::to_owned);
            jsonwebtoken::encode(&hs, &claims, &jsonwebtoken::EncodingKey::from_secret(x.as_bytes()))?
        }
        "with a tampered payload" => {
            claims["sub"] = serde_json::Value::String(uuid::Uuid::now_v7().to_string());
            format!("{}.{}.{}", parts[0], encode_json(&claims), parts[2])
        }
        "naming an unknown key id" => {
            let mut other = header.clone();
            other["kid"] = serde_json::Value::String("not-a-key-of-this-server".into());
            format!("{}.{}.{}", encode_json(&other), parts[1], parts[2])
        }
        _ => format!("{}.{}.", parts[0], parts[1]),
    };
    let path = world.interpolate(&path)?;
    world.send(ApiRequest::get(path).bearer(forged)).await?;
    Ok(())
}
