//! The server's outgoing mail, as the test kit's mailbox holds it (one raw message
//! per `.eml` file): who got what, and the invitation tokens inside.
//!
//! An addressee is written either as an e-mail address (`"bob@example.test"`,
//! `"{bob.email}"`) or as the name of a user of the scenario (`"bob"`).

use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Result};
use cucumber::{then, when};

use crate::world::{TenantryWorld, MAIL_DELIVERY_TIMEOUT};

/// The messages to `email` once there are at least `at_least` of them, or whatever
/// is there when [`MAIL_DELIVERY_TIMEOUT`] runs out.
async fn mails_once(world: &mut TenantryWorld, email: &str, at_least: usize) -> Result<Vec<String>> {
    let deadline = Instant::now() + MAIL_DELIVERY_TIMEOUT;
    loop {
        let mails = world.mails_to(email).await?;
        if mails.len() >= at_least || Instant::now() >= deadline {
            return Ok(mails);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[when(regex = r#"^the latest invitation token sent to "([^"]+)" is remembered as "([A-Za-z_][A-Za-z0-9_-]*)"$"#)]
async fn remember_invitation_token(world: &mut TenantryWorld, who: String, name: String) -> Result<()> {
    let email = world.email_of(&who)?;
    let token = world.latest_invitation_token(&email).await?;
    world.remember(name, token);
    Ok(())
}

#[then(regex = r#"^"([^"]+)" received an invitation mail$"#)]
async fn received_an_invitation(world: &mut TenantryWorld, who: String) -> Result<()> {
    let email = world.email_of(&who)?;
    world.latest_invitation_token(&email).await?;
    Ok(())
}

#[then(regex = r#"^"([^"]+)" received no mail$"#)]
async fn received_no_mail(world: &mut TenantryWorld, who: String) -> Result<()> {
    let email = world.email_of(&who)?;
    // Mail sent after the answer (by a job) has been sent once the server settles.
    world.settle().await?;
    let mails = world.mails_to(&email).await?;
    ensure!(mails.is_empty(), "expected no mail to {email}, found {}:\n{}", mails.len(), mails.join("\n-----\n"));
    Ok(())
}

#[then(regex = r#"^"([^"]+)" received (\d+) mails?$"#)]
async fn received_mails(world: &mut TenantryWorld, who: String, expected: usize) -> Result<()> {
    let email = world.email_of(&who)?;
    mails_once(world, &email, expected).await?;
    // Mail sent after the answer (by a job) has been sent once the server settles.
    world.settle().await?;
    let mails = world.mails_to(&email).await?;
    ensure!(
        mails.len() == expected,
        "expected {expected} mails to {email}, found {}:\n{}",
        mails.len(),
        mails.join("\n-----\n")
    );
    Ok(())
}

#[then(regex = r#"^the latest mail to "([^"]+)" contains "([^"]*)"$"#)]
async fn latest_mail_contains(world: &mut TenantryWorld, who: String, needle: String) -> Result<()> {
    let email = world.email_of(&who)?;
    let needle = world.interpolate(&needle)?;
    // Mail may be sent by a job after the answer: wait for a latest mail that has it.
    let deadline = Instant::now() + MAIL_DELIVERY_TIMEOUT;
    loop {
        let mails = world.mails_to(&email).await?;
        match mails.last() {
            Some(latest) if latest.contains(&needle) => return Ok(()),
            Some(latest) if Instant::now() >= deadline => {
                bail!("expected the latest mail to {email} to contain {needle:?}:\n{latest}")
            }
            None if Instant::now() >= deadline => bail!("no mail to {email} within {MAIL_DELIVERY_TIMEOUT:?}"),
            _ => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

/// The invitation token travels by mail only: not in the API's answer.
#[then(regex = r#"^the response does not contain the latest invitation token sent to "([^"]+)"$"#)]
async fn response_lacks_token(world: &mut TenantryWorld, who: String) -> Result<()> {
    let email = world.email_of(&who)?;
    let token = world.latest_invitation_token(&email).await?;
    let response = world.last_response()?;
    let in_headers = response.headers.values().any(|v| v.to_str().is_ok_and(|v| v.contains(&token)));
    ensure!(
        !response.body.contains(&token) && !in_headers,
        "the response carries the invitation token {token:?}\n{response}"
    );
    Ok(())
}

/// Verification and password reset mail carry their token on a labelled line.
#[when(
    regex = r#"^the latest (verification|password reset) token mailed to "([^"]+)" is remembered as "([A-Za-z_][A-Za-z0-9_-]*)"$"#
)]
async fn remember_account_token(world: &mut TenantryWorld, kind: String, who: String, name: String) -> Result<()> {
    let email = world.email_of(&who)?;
    let deadline = Instant::now() + MAIL_DELIVERY_TIMEOUT;
    loop {
        let app = world.app().await?;
        let token = match kind.as_str() {
            "verification" => app.latest_verification_token(&email),
            _ => app.latest_password_reset_token(&email),
        };
        if let Some(token) = token {
            world.remember(name, token);
            return Ok(());
        }
        ensure!(Instant::now() < deadline, "no {kind} mail to {email} within {MAIL_DELIVERY_TIMEOUT:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[then(regex = r#"^"([^"]+)" received no (invitation|verification|password reset) mail$"#)]
async fn received_no_mail_of_kind(world: &mut TenantryWorld, who: String, kind: String) -> Result<()> {
    let email = world.email_of(&who)?;
    let label = match kind.as_str() {
        "invitation" => "Invitation token: ",
        "verification" => "Verification token: ",
        _ => "Password reset token: ",
    };
    // Mail sent after the answer (by a job) has been sent once the server settles.
    world.settle().await?;
    let mails = world.mails_to(&email).await?;
    let found: Vec<&String> = mails.iter().filter(|mail| mail.contains(label)).collect();
    ensure!(
        found.is_empty(),
        "expected no {kind} mail to {email}, found {}:\n{}",
        found.len(),
        mails.join("\n-----\n")
    );
    Ok(())
}
