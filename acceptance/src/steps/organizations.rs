//! Organizations, their members and roles, invitations, and requests made on behalf
//! of a tenant (`X-Tenant-Id`).
//!
//! Organizations are named like users: `"acme"` is created with the name `acme` (the
//! server derives the slug) and is then `{acme.id}` / `{acme.slug}` in feature text.
//! People join the way a real person does: invited by e-mail, the token read from the
//! mail the server wrote, and accepted with their own bearer token.

use std::collections::BTreeSet;

use anyhow::{anyhow, ensure, Result};
use cucumber::gherkin::Step;
use cucumber::{given, then, when};

use super::requests::{json_docstring, send};
use crate::world::{ApiRequest, TenantryWorld};

/// The header naming the tenant of a request (API.md, "Tenancy").
pub const TENANT_HEADER: &str = "X-Tenant-Id";

fn members_path(world: &TenantryWorld, organization: &str, member: &str) -> Result<String> {
    let id = &world.organization(organization)?.id;
    let user_id = world.user(member)?.id.clone().ok_or_else(|| anyhow!("{member:?} has no id: register it first"))?;
    Ok(format!("/api/v1/organizations/{id}/members/{user_id}"))
}

// --- Given: arrange, and insist on success -------------------------------------

#[given(regex = r#"^an organization "([^"]+)" owned by "([^"]+)"$"#)]
async fn an_organization_owned_by(world: &mut TenantryWorld, organization: String, owner: String) -> Result<()> {
    world.ensure_logged_in(&owner).await?;
    world.create_organization(&owner, &organization, None).await?;
    world.expect_status(201, &format!("{owner:?} creating the organization {organization:?}"))
}

#[given(regex = r#"^"([^"]+)" is a member of "([^"]+)" with role "([^"]+)"$"#)]
async fn is_a_member_with_role(
    world: &mut TenantryWorld,
    name: String,
    organization: String,
    role: String,
) -> Result<()> {
    world.add_member(&name, &organization, &role).await
}

#[given(regex = r#"^"([^"]+)" invited "([^"]+)" to "([^"]+)" as "([^"]*)"$"#)]
async fn invited(
    world: &mut TenantryWorld,
    inviter: String,
    who: String,
    organization: String,
    role: String,
) -> Result<()> {
    let email = world.email_of(&who)?;
    world.ensure_logged_in(&inviter).await?;
    world.invite(&inviter, &organization, &email, &role).await?;
    world.expect_status(201, &format!("{inviter:?} inviting {email} to {organization:?} as {role:?}"))
}

// --- When: act and record the answer ---------------------------------------------

#[when(regex = r#"^"([^"]+)" creates an organization "([^"]+)"$"#)]
async fn creates_an_organization(world: &mut TenantryWorld, creator: String, organization: String) -> Result<()> {
    world.create_organization(&creator, &organization, None).await
}

#[when(regex = r#"^"([^"]+)" creates an organization "([^"]+)" with slug "([^"]*)"$"#)]
async fn creates_an_organization_with_slug(
    world: &mut TenantryWorld,
    creator: String,
    organization: String,
    slug: String,
) -> Result<()> {
    let slug = world.interpolate(&slug)?;
    world.create_organization(&creator, &organization, Some(&slug)).await
}

#[when(regex = r#"^"([^"]+)" invites "([^"]+)" to "([^"]+)" as "([^"]*)"$"#)]
async fn invites(
    world: &mut TenantryWorld,
    inviter: String,
    who: String,
    organization: String,
    role: String,
) -> Result<()> {
    let email = world.email_of(&who)?;
    world.invite(&inviter, &organization, &email, &role).await
}

#[when(regex = r#"^"([^"]+)" accepts (?:her|his|their) invitation$"#)]
async fn accepts_own_invitation(world: &mut TenantryWorld, name: String) -> Result<()> {
    let email = world.user(&name)?.email.clone();
    let token = world.latest_invitation_token(&email).await?;
    world.accept_invitation(Some(&name), &token).await
}

#[when(regex = r#"^"([^"]+)" accepts the latest invitation sent to "([^"]+)"$"#)]
async fn accepts_invitation_sent_to(world: &mut TenantryWorld, name: String, who: String) -> Result<()> {
    let email = world.email_of(&who)?;
    let token = world.latest_invitation_token(&email).await?;
    world.accept_invitation(Some(&name), &token).await
}

#[when(regex = r#"^an anonymous client accepts the latest invitation sent to "([^"]+)"$"#)]
async fn anonymous_accepts_invitation(world: &mut TenantryWorld, who: String) -> Result<()> {
    let email = world.email_of(&who)?;
    let token = world.latest_invitation_token(&email).await?;
    world.accept_invitation(None, &token).await
}

#[when(regex = r#"^"([^"]+)" changes the role of "([^"]+)" in "([^"]+)" to "([^"]*)"$"#)]
async fn changes_role(
    world: &mut TenantryWorld,
    name: String,
    member: String,
    organization: String,
    role: String,
) -> Result<()> {
    let token = world.access_token(&name)?;
    let path = members_path(world, &organization, &member)?;
    let request =
        ApiRequest::new(reqwest::Method::PATCH, path).bearer(token).json(&serde_json::json!({ "role": role }));
    world.send(request).await?;
    Ok(())
}

#[when(regex = r#"^"([^"]+)" removes "([^"]+)" from "([^"]+)"$"#)]
async fn removes(world: &mut TenantryWorld, name: String, member: String, organization: String) -> Result<()> {
    let token = world.access_token(&name)?;
    let path = members_path(world, &organization, &member)?;
    world.send(ApiRequest::new(reqwest::Method::DELETE, path).bearer(token)).await?;
    Ok(())
}

#[when(regex = r#"^"([^"]+)" leaves "([^"]+)"$"#)]
async fn leaves(world: &mut TenantryWorld, name: String, organization: String) -> Result<()> {
    removes(world, name.clone(), name, organization).await
}

#[when(regex = r#"^"([^"]+)" sends (GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) "([^"]*)" for tenant "([^"]+)"$"#)]
async fn sends_for_tenant(
    world: &mut TenantryWorld,
    name: String,
    method: String,
    path: String,
    organization: String,
) -> Result<()> {
    let token = world.access_token(&name)?;
    let tenant = world.organization(&organization)?.id.clone();
    world.queue_header(TENANT_HEADER, tenant);
    send(world, Some(token), &method, &path, None).await
}

#[when(regex = r#"^"([^"]+)" sends (GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) "([^"]*)" for tenant "([^"]+)" with:$"#)]
async fn sends_json_for_tenant(
    world: &mut TenantryWorld,
    name: String,
    method: String,
    path: String,
    organization: String,
    step: &Step,
) -> Result<()> {
    let token = world.access_token(&name)?;
    let tenant = world.organization(&organization)?.id.clone();
    let body = json_docstring(world, step)?;
    world.queue_header(TENANT_HEADER, tenant);
    send(world, Some(token), &method, &path, Some(body)).await
}

// --- Then: these ask the server again (the answer becomes the last response) ------

#[then(regex = r#"^"([^"]+)" has the role "([^"]+)" in "([^"]+)"$"#)]
async fn has_the_role(world: &mut TenantryWorld, name: String, role: String, organization: String) -> Result<()> {
    let token = world.access_token(&name)?;
    let path = format!("/api/v1/organizations/{}", world.organization(&organization)?.id);
    let response = world.send(ApiRequest::get(path).bearer(token)).await?;
    ensure!(response.status == 200, "{name:?} cannot read {organization:?}: expected 200\n{response}");
    let actual = response.json_at("role")?;
    ensure!(
        actual.as_str() == Some(role.as_str()),
        "expected {name:?} to be {role:?} in {organization:?}, got {actual}\n{response}"
    );
    Ok(())
}

#[then(regex = r#"^"([^"]+)" is not a member of "([^"]+)"$"#)]
async fn is_not_a_member(world: &mut TenantryWorld, name: String, organization: String) -> Result<()> {
    let token = world.access_token(&name)?;
    let path = format!("/api/v1/organizations/{}", world.organization(&organization)?.id);
    let response = world.send(ApiRequest::get(path).bearer(token)).await?;
    ensure!(
        response.status == 404,
        "expected {organization:?} to be invisible (404) to {name:?}, got {}\n{response}",
        response.status
    );
    Ok(())
}

/// The table has an `email | role` header row; every member must be listed, in any
/// order, and nobody else.
#[then(regex = r#"^"([^"]+)" sees the members of "([^"]+)" as:$"#)]
async fn sees_the_members(world: &mut TenantryWorld, name: String, organization: String, step: &Step) -> Result<()> {
    let table = step.table().ok_or_else(|| anyhow!("this step needs a | email | role | table"))?;
    let expected: BTreeSet<(String, String)> = table
        .rows
        .iter()
        .skip(1)
        .map(|row| match row.as_slice() {
            [email, role] => Ok((world.email_of(email)?, role.clone())),
            other => Err(anyhow!("table rows need two cells, got {other:?}")),
        })
        .collect::<Result<_>>()?;
    let token = world.access_token(&name)?;
    let path = format!("/api/v1/organizations/{}/members?size=100", world.organization(&organization)?.id);
    let response = world.send(ApiRequest::get(path).bearer(token)).await?;
    ensure!(response.status == 200, "{name:?} cannot list the members of {organization:?}\n{response}");
    let items =
        response.json_at("items")?.as_array().ok_or_else(|| anyhow!("\"items\" is not an array\n{response}"))?;
    let actual: BTreeSet<(String, String)> = items
        .iter()
        .map(|item| {
            let text = |key: &str| item.get(key).and_then(serde_json::Value::as_str).map(str::to_owned);
            text("email").zip(text("role")).ok_or_else(|| anyhow!("member {item} lacks an email or role\n{response}"))
        })
        .collect::<Result<_>>()?;
    ensure!(actual == expected, "expected the members {expected:?}, got {actual:?}\n{response}");
    let total = response.json_at("total")?;
    ensure!(total.as_u64() == Some(expected.len() as u64), "\"total\" is {total}, not {}\n{response}", expected.len());
    Ok(())
}
