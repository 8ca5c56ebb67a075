//! Files: multipart uploads of a few kinds of content. An upload answered 201 is
//! remembered by its file name: `"logo.png"` is then `{logo.png.id}`.

use anyhow::{anyhow, Result};
use cucumber::{then, when};

use crate::world::{ApiRequest, TenantryWorld, Upload};

/// A complete 1x1 PNG: a real image, so the type is sniffed from real bytes.
const PNG_1X1: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0D, 0x49,
    0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0xF8, 0xCF, 0xC0, 0xF0, 0x1F, 0x00, 0x05, 0x00, 0x01, 0xFF, 0x89, 0x99, 0x3D,
    0x1D, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];

/// The start of a Windows executable (`MZ` header): what a disguised upload carries.
const WINDOWS_EXECUTABLE: &[u8] =
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xFF\xFF\x00\x00This program cannot be run in DOS mode.";

async fn upload(
    world: &mut TenantryWorld,
    user: &str,
    content: Vec<u8>,
    file_name: &str,
    path: &str,
    organization: &str,
) -> Result<()> {
    upload_with(world, user, content, file_name, path, organization, Vec::new()).await
}

async fn upload_with(
    world: &mut TenantryWorld,
    user: &str,
    content: Vec<u8>,
    file_name: &str,
    path: &str,
    organization: &str,
    fields: Vec<(String, String)>,
) -> Result<()> {
    let token = world.access_token(user)?;
    let tenant = world.organization(organization)?.id.clone();
    let path = world.interpolate(path)?;
    let mut request = ApiRequest::post(path).bearer(token).header("X-Tenant-Id", tenant);
    request.upload = Some(Upload { file_name: file_name.to_owned(), content, fields });
    let response = world.send(request).await?;
    if response.status == 201 {
        let id = response.json_at("id")?.as_str().ok_or_else(|| anyhow!("no id in {response}"))?.to_owned();
        world.remember(format!("{file_name}.id"), id);
    }
    Ok(())
}

#[when(regex = r#"^"([^"]+)" uploads the text "([^"]*)" as "([^"]+)" to "([^"]*)" for tenant "([^"]+)"$"#)]
async fn uploads_text(
    world: &mut TenantryWorld,
    user: String,
    text: String,
    name: String,
    path: String,
    organization: String,
) -> Result<()> {
    upload(world, &user, text.into_bytes(), &name, &path, &organization).await
}

#[when(regex = r#"^"([^"]+)" uploads a PNG image as "([^"]+)" to "([^"]*)" for tenant "([^"]+)"$"#)]
async fn uploads_png(world: &mut TenantryWorld, user: String, name: String, path: String, org: String) -> Result<()> {
    upload(world, &user, PNG_1X1.to_vec(), &name, &path, &org).await
}

#[when(regex = r#"^"([^"]+)" uploads a Windows executable as "([^"]+)" to "([^"]*)" for tenant "([^"]+)"$"#)]
async fn uploads_executable(
    world: &mut TenantryWorld,
    user: String,
    name: String,
    path: String,
    org: String,
) -> Result<()> {
    upload(world, &user, WINDOWS_EXECUTABLE.to_vec(), &name, &path, &org).await
}

#[when(regex = r#"^"([^"]+)" uploads (\d+) bytes of text as "([^"]+)" to "([^"]*)" for tenant "([^"]+)"$"#)]
async fn uploads_bytes(
    world: &mut TenantryWorld,
    user: String,
    size: usize,
    name: String,
    path: String,
    org: String,
) -> Result<()> {
    upload(world, &user, b"0123456789".iter().copied().cycle().take(size).collect(), &name, &path, &org).await
}

#[when(regex = r#"^"([^"]+)" uploads the text "([^"]*)" as "([^"]+)" into folder "([^"]*)" for tenant "([^"]+)"$"#)]
async fn uploads_text_into_folder(
    world: &mut TenantryWorld,
    user: String,
    text: String,
    name: String,
    folder: String,
    organization: String,
) -> Result<()> {
    let folder = world.interpolate(&folder)?;
    let fields = vec![("folder_id".to_owned(), folder)];
    upload_with(world, &user, text.into_bytes(), &name, "/api/v1/files", &organization, fields).await
}

/// Remembers the path of the download link in the last response (`url` is absolute;
/// requests in a scenario go to the scenario's own server).
#[when(regex = r#"^the download link in the response is remembered as "([A-Za-z_][A-Za-z0-9_-]*)"$"#)]
fn remember_link(world: &mut TenantryWorld, name: String) -> Result<()> {
    let response = world.last_response()?;
    let url = response.json_at("url")?.as_str().ok_or_else(|| anyhow!("no url in {response}"))?;
    let path = url
        .strip_prefix("http://")
        .and_then(|rest| rest.find('/').map(|slash| &rest[slash..]))
        .filter(|path| path.starts_with("/api/v1/file-links/"))
        .ok_or_else(|| anyhow!("{url} is not an absolute download link"))?
        .to_owned();
    world.remember(name, path);
    Ok(())
}

/// Polls a file's metadata until background processing reaches `state` (10 s at
/// most: thumbnails are made by the server's job worker).
#[then(regex = r#"^"([^"]+)" soon sees the file "([^"]+)" of "([^"]+)" with processing "([a-z]+)"$"#)]
async fn processing_converges(
    world: &mut TenantryWorld,
    user: String,
    file: String,
    organization: String,
    state: String,
) -> Result<()> {
    let token = world.access_token(&user)?;
    let tenant = world.organization(&organization)?.id.clone();
    let id = world.interpolate(&format!("{{{file}.id}}"))?;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let request =
            ApiRequest::get(format!("/api/v1/files/{id}")).bearer(token.clone()).header("X-Tenant-Id", tenant.clone());
        let response = world.send(request).await?;
        if response.status == 200
            && response.json_at("processing").ok().and_then(|v| v.as_str()) == Some(state.as_str())
        {
            return Ok(());
        }
        anyhow::ensure!(
            std::time::Instant::now() < deadline,
            "{file} never reached processing {state} within 10 s\n{response}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// A PNG signature followed by bytes that are no image: sniffed as PNG, unreadable.
const BROKEN_PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDRthis is not really an image";

#[when(regex = r#"^"([^"]+)" uploads a broken PNG image as "([^"]+)" to "([^"]*)" for tenant "([^"]+)"$"#)]
async fn uploads_broken_png(
    world: &mut TenantryWorld,
    user: String,
    name: String,
    path: String,
    org: String,
) -> Result<()> {
    upload(world, &user, BROKEN_PNG.to_vec(), &name, &path, &org).await
}
