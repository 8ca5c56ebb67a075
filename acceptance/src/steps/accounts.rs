//! Users, their sessions and tokens: registration, login, refresh and logout.
//!
//! `Given` steps insist on success (they arrange the scenario, so a failure there is
//! the real failure); `When` steps only record the answer for the `Then` steps.

use anyhow::{ensure, Result};
use cucumber::{given, then, when};

use crate::world::{Account, RefreshCarrier, TenantryWorld, WhichRefreshToken};

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
