//! The scenario's organizations, the invitations it sends and the memberships they make.

use std::time::{Duration, Instant};

use anyhow::{anyhow, bail};
use serde_json::json;

use super::{ApiRequest, TenantryWorld, MAIL_DELIVERY_TIMEOUT};

/// An organization the scenario knows by a short name (`"acme"`): the one it was
/// created with, which is also its name on the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organization {
    pub name: String,
    pub id: String,
    pub slug: String,
    /// The scenario's name of the user who created it (its first owner).
    pub creator: String,
}

impl TenantryWorld {
    /// # Errors
    /// When the scenario has no organization by that name.
    pub fn organization(&self, name: &str) -> anyhow::Result<&Organization> {
        self.organizations.get(name).ok_or_else(|| {
            let mut known: Vec<_> = self.organizations.keys().map(String::as_str).collect();
            known.sort_unstable();
            anyhow!("no organization {name:?} in this scenario (known: {known:?}); create it first")
        })
    }

    /// Makes an organization known to the scenario (and to `{name.id}` placeholders).
    pub fn add_organization(&mut self, organization: Organization) {
        self.organizations.insert(organization.name.clone(), organization);
    }

    /// `POST /api/v1/organizations` as the logged-in `creator`, named `name`, with
    /// `slug` when given (the server derives one otherwise). On 201 the organization
    /// is known to the scenario as `name`.
    ///
    /// # Errors
    /// When `creator` has not logged in, the server cannot be reached, or a 201
    /// lacks `id` or `slug`.
    pub async fn create_organization(&mut self, creator: &str, name: &str, slug: Option<&str>) -> anyhow::Result<()> {
        let token = self.access_token(creator)?;
        let mut body = json!({ "name": name });
        if let Some(slug) = slug {
            body["slug"] = json!(slug);
        }
        let response = self.send(ApiRequest::post("/api/v1/organizations").bearer(token).json(&body)).await?;
        if response.status != 201 {
            return Ok(());
        }
        let text = |field: &str| -> anyhow::Result<String> {
            response
                .json_at(field)?
                .as_str()
                .map(str::to_owned)
                .ok_or_else(|| anyhow!("{field:?} is not a string\n{response}"))
        };
        let organization =
            Organization { name: name.to_owned(), id: text("id")?, slug: text("slug")?, creator: creator.to_owned() };
        self.add_organization(organization);
        Ok(())
    }

    /// `POST /api/v1/organizations/{id}/invitations` as `inviter`. On 201 the
    /// number of messages `email` had before is noted, so that
    /// [`TenantryWorld::latest_invitation_token`] waits for this invitation's mail.
    ///
    /// # Errors
    /// When the inviter has not logged in, the organization is unknown or the server
    /// cannot be reached.
    pub async fn invite(&mut self, inviter: &str, organization: &str, email: &str, role: &str) -> anyhow::Result<()> {
        let token = self.access_token(inviter)?;
        let path = format!("/api/v1/organizations/{}/invitations", self.organization(organization)?.id);
        let body = json!({ "email": email, "role": role });
        let before = self.mails_to(email).await?.len();
        let status = self.send(ApiRequest::post(path).bearer(token).json(&body)).await?.status;
        if status == 201 {
            self.mails_before_invitation.insert(email.to_owned(), before);
        }
        Ok(())
    }

    /// The token of the latest invitation mailed to `email`, waiting for the mail of
    /// the last invitation the scenario sent there (any invitation mail when the
    /// scenario sent none itself).
    ///
    /// # Errors
    /// When no such mail arrives in time.
    pub async fn latest_invitation_token(&mut self, email: &str) -> anyhow::Result<String> {
        let before = self.mails_before_invitation.get(email).copied().unwrap_or(0);
        self.invitation_token(email, before).await
    }

    /// The token of the latest invitation mailed to `email`, once more than
    /// `mails_before` messages have reached that address: mail may be written by a
    /// background task after the request that caused it has been answered, so this
    /// waits up to [`MAIL_DELIVERY_TIMEOUT`].
    ///
    /// # Errors
    /// When no such mail arrives in time.
    pub async fn invitation_token(&mut self, email: &str, mails_before: usize) -> anyhow::Result<String> {
        let deadline = Instant::now() + MAIL_DELIVERY_TIMEOUT;
        loop {
            let app = self.app().await?;
            let count = app.mails_to(email).len();
            if count > mails_before {
                if let Some(token) = app.latest_invitation_token(email) {
                    return Ok(token);
                }
            }
            if Instant::now() >= deadline {
                bail!(
                    "no invitation token mailed to {email} within {MAIL_DELIVERY_TIMEOUT:?} \
                     ({count} messages to that address, {mails_before} expected before the invitation)"
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// `POST /api/v1/invitations/{token}/accept`, as `who` (their bearer token) or
    /// anonymously.
    ///
    /// # Errors
    /// When `who` has not logged in or the server cannot be reached.
    pub async fn accept_invitation(&mut self, who: Option<&str>, token: &str) -> anyhow::Result<()> {
        let mut request = ApiRequest::post(format!("/api/v1/invitations/{token}/accept"));
        if let Some(name) = who {
            request = request.bearer(self.access_token(name)?);
        }
        self.send(request).await?;
        Ok(())
    }

    /// Makes `name` a member of `organization` with `role` the way a person would
    /// become one: the organization's creator invites them, the token is read from
    /// the invitation mail, and they accept it. Registers and logs in `name` (and
    /// logs the creator in) as needed; every step must succeed.
    ///
    /// # Errors
    /// When any of those requests is refused or the mail does not arrive.
    pub async fn add_member(&mut self, name: &str, organization: &str, role: &str) -> anyhow::Result<()> {
        let creator = self.organization(organization)?.creator.clone();
        self.ensure_logged_in(&creator).await?;
        self.ensure_logged_in(name).await?;
        let email = self.user(name)?.email.clone();
        self.invite(&creator, organization, &email, role).await?;
        self.expect_status(201, &format!("{creator:?} inviting {email} to {organization:?} as {role:?}"))?;
        let token = self.latest_invitation_token(&email).await?;
        self.accept_invitation(Some(name), &token).await?;
        self.expect_status(200, &format!("{name:?} accepting the invitation to {organization:?}"))
    }
}
