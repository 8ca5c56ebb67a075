//! Projects and tasks: arrange them through the API. A project created as
//! `"Apollo"` is then `{Apollo.id}`; a task `"launch"` is `{launch.id}`.

use anyhow::{anyhow, Result};
use cucumber::{given, then};
use serde_json::json;

use crate::world::{ApiRequest, TenantryWorld};

async fn create_in_tenant(
    world: &mut TenantryWorld,
    user: &str,
    organization: &str,
    path: String,
    body: serde_json::Value,
    remember_as: &str,
) -> Result<()> {
    let token = world.access_token(user)?;
    let tenant = world.interpolate(&format!("{{{organization}.id}}"))?;
    world.send(ApiRequest::post(path).bearer(token).header("X-Tenant-Id", tenant).json(&body)).await?;
    world.expect_status(201, &format!("creating {remember_as:?}"))?;
    let id = world.last_response()?.json_at("id")?.as_str().ok_or_else(|| anyhow!("no id"))?.to_owned();
    world.remember(format!("{remember_as}.id"), id);
    Ok(())
}

#[given(regex = r#"^"([^"]+)" created a project "([^"]+)" in "([^"]+)"$"#)]
async fn created_a_project(world: &mut TenantryWorld, user: String, name: String, organization: String) -> Result<()> {
    let body = json!({"name": name});
    create_in_tenant(world, &user, &organization, "/api/v1/projects".to_owned(), body, &name).await
}

#[given(regex = r#"^"([^"]+)" created a task "([^"]+)" in "([^"]+)" for "([^"]+)"$"#)]
async fn created_a_task(
    world: &mut TenantryWorld,
    user: String,
    title: String,
    project: String,
    organization: String,
) -> Result<()> {
    let project_id = world.interpolate(&format!("{{{project}.id}}"))?;
    let path = format!("/api/v1/projects/{project_id}/tasks");
    create_in_tenant(world, &user, &organization, path, json!({"title": title}), &title).await
}

/// A thread `depth` replies deep on a task: its top comment is `{thread}`, the
/// deepest reply `{deepest}`.
#[given(regex = r#"^"([^"]+)" wrote a thread (\d+) replies deep on the task "([^"]+)" in "([^"]+)"$"#)]
async fn wrote_a_thread(
    world: &mut TenantryWorld,
    user: String,
    depth: u32,
    task: String,
    organization: String,
) -> Result<()> {
    let task_id = world.interpolate(&format!("{{{task}.id}}"))?;
    let path = format!("/api/v1/tasks/{task_id}/comments");
    create_in_tenant(world, &user, &organization, path.clone(), json!({"body": "top"}), "thread").await?;
    let mut parent = world.interpolate("{thread.id}")?;
    for level in 1..=depth {
        let body = json!({"body": format!("level {level}"), "parent_id": parent});
        create_in_tenant(world, &user, &organization, path.clone(), body, "deepest").await?;
        parent = world.interpolate("{deepest.id}")?;
    }
    Ok(())
}

/// Sends the version as `If-Match` on the next request (`"3"`, a strong tag).
#[given(regex = r#"^the next request is based on version (-?\d+)$"#)]
fn based_on_version(world: &mut TenantryWorld, version: i64) {
    world.queue_header("If-Match".to_owned(), format!("\"{version}\""));
}

#[then(regex = r#"^the response ETag names version (\d+)$"#)]
fn etag_names_version(world: &mut TenantryWorld, version: i64) -> Result<()> {
    let response = world.last_response()?;
    let expected = format!("\"{version}\"");
    anyhow::ensure!(response.header("ETag") == Some(expected.as_str()), "expected the ETag {expected}\n{response}");
    Ok(())
}

/// The summary is a read model fed by events: it converges within moments, so the
/// step polls (up to five seconds) instead of asserting on the first answer.
#[then(regex = r#"^"([^"]+)" soon sees the summary of "([^"]+)" in "([^"]+)" with "([^"]+)" equal to (.+)$"#)]
async fn summary_converges(
    world: &mut TenantryWorld,
    user: String,
    project: String,
    organization: String,
    path: String,
    expected: String,
) -> Result<()> {
    let expected: serde_json::Value =
        serde_json::from_str(&expected).map_err(|e| anyhow!("{expected:?} is not a JSON value: {e}"))?;
    let token = world.access_token(&user)?;
    let tenant = world.interpolate(&format!("{{{organization}.id}}"))?;
    let project_id = world.interpolate(&format!("{{{project}.id}}"))?;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let request = ApiRequest::get(format!("/api/v1/projects/{project_id}/summary"))
            .bearer(token.clone())
            .header("X-Tenant-Id", tenant.clone());
        let response = world.send(request).await?;
        if response.status == 200 && response.json_at(&path).ok() == Some(&expected) {
            return Ok(());
        }
        anyhow::ensure!(
            std::time::Instant::now() < deadline,
            "the summary never showed {path} = {expected} within 5 s\n{response}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Notifications arrive through the event consumer moments after the write.
#[then(regex = r#"^"([^"]+)" soon has (\d+) notifications?$"#)]
async fn soon_has_notifications(world: &mut TenantryWorld, user: String, expected: u64) -> Result<()> {
    let token = world.access_token(&user)?;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let response = world.send(ApiRequest::get("/api/v1/notifications").bearer(token.clone())).await?;
        let total = response.json_at("total").ok().and_then(serde_json::Value::as_u64);
        if total == Some(expected) {
            // Once every event is consumed, a further notification cannot follow.
            world.settle().await?;
            let again = world.send(ApiRequest::get("/api/v1/notifications").bearer(token.clone())).await?;
            anyhow::ensure!(
                again.json_at("total").ok().and_then(serde_json::Value::as_u64) == Some(expected),
                "{user:?} got more than {expected} notifications\n{again}"
            );
            return Ok(());
        }
        anyhow::ensure!(
            std::time::Instant::now() < deadline,
            "{user:?} never had {expected} notifications within 5 s\n{response}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[given(regex = r#"^"([^"]+)" added "([^"]+)" to the project "([^"]+)" in "([^"]+)" as "([^"]+)"$"#)]
async fn added_to_project(
    world: &mut TenantryWorld,
    user: String,
    member: String,
    project: String,
    organization: String,
    role: String,
) -> Result<()> {
    let token = world.access_token(&user)?;
    let tenant = world.interpolate(&format!("{{{organization}.id}}"))?;
    let project_id = world.interpolate(&format!("{{{project}.id}}"))?;
    let member_id = world.interpolate(&format!("{{{member}.id}}"))?;
    let request = ApiRequest::post(format!("/api/v1/projects/{project_id}/members"))
        .bearer(token)
        .header("X-Tenant-Id", tenant)
        .json(&json!({"user_id": member_id, "role": role}));
    world.send(request).await?;
    world.expect_status(200, &format!("adding {member:?} to {project:?}"))
}
