//! The scenario's users: accounts, registration, sessions and their tokens.

use anyhow::anyhow;
use serde_json::json;

use super::{ApiRequest, TenantryWorld};

/// Password given to every user created through the step library: long and uncommon
/// enough for the password policy (OWASP ASVS 2.1), so features that are not about
/// passwords never trip over it.
pub const DEFAULT_PASSWORD: &str = "correct horse battery staple";

/// Domain of the e-mail addresses the step library makes up (`alice@example.test`).
/// `.test` is reserved by RFC 2606, so no mail can ever leave a test run.
pub const EMAIL_DOMAIN: &str = "example.test";

/// A user the scenario knows by a short name (`"alice"`), with the credentials it
/// registered and the tokens of its current session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub email: String,
    pub password: String,
    pub display_name: String,
    /// Set once the registration answered 201.
    pub id: Option<String>,
    pub access_token: Option<String>,
    pub refresh_token: Option<String>,
    /// The refresh token the last successful refresh rotated away.
    pub previous_refresh_token: Option<String>,
}

impl Account {
    /// An account with the library's defaults: `<name>@example.test`, the
    /// [`DEFAULT_PASSWORD`] and the capitalised name as display name.
    pub fn for_name(name: &str) -> Self {
        Self::with_email(name, &format!("{name}@{EMAIL_DOMAIN}"))
    }

    pub fn with_email(name: &str, email: &str) -> Self {
        let mut chars = name.chars();
        let display_name = chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default();
        Self {
            email: email.to_owned(),
            password: DEFAULT_PASSWORD.to_owned(),
            display_name,
            id: None,
            access_token: None,
            refresh_token: None,
            previous_refresh_token: None,
        }
    }
}

/// Which of a user's refresh tokens to present.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhichRefreshToken {
    Current,
    /// The one the last successful refresh rotated away.
    Previous,
}

/// Where the refresh token travels (API.md allows both).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshCarrier {
    Header,
    Body,
}

impl TenantryWorld {
    /// # Errors
    /// When the scenario has no user by that name.
    pub fn user(&self, name: &str) -> anyhow::Result<&Account> {
        self.users.get(name).ok_or_else(|| self.unknown_user(name))
    }

    /// # Errors
    /// When the scenario has no user by that name.
    pub fn user_mut(&mut self, name: &str) -> anyhow::Result<&mut Account> {
        if !self.users.contains_key(name) {
            return Err(self.unknown_user(name));
        }
        Ok(self.users.get_mut(name).expect("checked above"))
    }

    fn unknown_user(&self, name: &str) -> anyhow::Error {
        let mut known: Vec<_> = self.users.keys().map(String::as_str).collect();
        known.sort_unstable();
        anyhow!("no user {name:?} in this scenario (known: {known:?}); register it first")
    }

    /// The access token of a logged-in user.
    ///
    /// # Errors
    /// When the user is unknown or has not logged in.
    pub fn access_token(&self, name: &str) -> anyhow::Result<String> {
        self.user(name)?.access_token.clone().ok_or_else(|| anyhow!("{name:?} has no access token: log in first"))
    }

    /// An addressee as steps write it: an e-mail address (interpolated) when the text
    /// holds an `@`, otherwise the e-mail of the scenario's user by that name.
    ///
    /// # Errors
    /// When it is neither an address nor a known user, or a placeholder is unknown.
    pub fn email_of(&self, who: &str) -> anyhow::Result<String> {
        let who = self.interpolate(who)?;
        if who.contains('@') {
            return Ok(who);
        }
        Ok(self.user(&who)?.email.clone())
    }

    /// Registers `account` under `name` through `POST /api/v1/auth/register` and
    /// records its id on 201. The account is known to the scenario whatever the
    /// answer, so a rejected registration can still be asserted on.
    ///
    /// # Errors
    /// When the server cannot be reached.
    pub async fn register(&mut self, name: &str, account: Account) -> anyhow::Result<()> {
        let body = json!({
            "email": account.email,
            "password": account.password,
            "display_name": account.display_name,
        });
        self.users.insert(name.to_owned(), account);
        let response = self.send(ApiRequest::post("/api/v1/auth/register").json(&body)).await?;
        let id = (response.status == 201).then(|| response.json_at("id").ok()?.as_str().map(str::to_owned)).flatten();
        if let Some(id) = id {
            self.user_mut(name)?.id = Some(id);
        }
        Ok(())
    }

    /// Logs a known user in with `password` (its own when `None`), keeping the
    /// token pair on 200.
    ///
    /// # Errors
    /// When the user is unknown or the server cannot be reached.
    pub async fn log_in(&mut self, name: &str, email: Option<&str>, password: Option<&str>) -> anyhow::Result<()> {
        let account = self.user(name)?;
        let body = json!({
            "email": email.unwrap_or(&account.email),
            "password": password.unwrap_or(&account.password),
        });
        self.send(ApiRequest::post("/api/v1/auth/login").json(&body)).await?;
        self.keep_token_pair(name)
    }

    /// How a refresh token is presented to `POST /api/v1/auth/refresh`.
    ///
    /// # Errors
    /// When the user is unknown, holds no such token, or the server cannot be reached.
    pub async fn refresh(
        &mut self,
        name: &str,
        which: WhichRefreshToken,
        carrier: RefreshCarrier,
    ) -> anyhow::Result<()> {
        let account = self.user(name)?;
        let token = match which {
            WhichRefreshToken::Current => account.refresh_token.clone(),
            WhichRefreshToken::Previous => account.previous_refresh_token.clone(),
        }
        .ok_or_else(|| anyhow!("{name:?} holds no {which:?} refresh token"))?;
        let request = ApiRequest::post("/api/v1/auth/refresh");
        let request = match carrier {
            RefreshCarrier::Header => request.header("X-Refresh-Token", token),
            RefreshCarrier::Body => request.json(&json!({ "refresh_token": token })),
        };
        self.send(request).await?;
        self.keep_token_pair(name)
    }

    /// Logs a user out with its access token (`POST /api/v1/auth/logout`). The tokens
    /// stay with the account so the scenario can show they no longer work.
    ///
    /// # Errors
    /// When the user is unknown, has not logged in, or the server cannot be reached.
    pub async fn log_out(&mut self, name: &str) -> anyhow::Result<()> {
        let token = self.access_token(name)?;
        self.send(ApiRequest::post("/api/v1/auth/logout").bearer(token)).await?;
        Ok(())
    }

    /// After a 200 carrying a token pair, makes it the user's current session.
    fn keep_token_pair(&mut self, name: &str) -> anyhow::Result<()> {
        let response = self.last_response()?;
        if response.status != 200 {
            return Ok(());
        }
        let token = |field: &str| -> anyhow::Result<String> {
            response
                .json_at(field)?
                .as_str()
                .map(str::to_owned)
                .ok_or_else(|| anyhow!("{field:?} is not a string\n{response}"))
        };
        let (access, refresh) = (token("access_token")?, token("refresh_token")?);
        let account = self.user_mut(name)?;
        account.access_token = Some(access);
        account.previous_refresh_token = account.refresh_token.replace(refresh);
        Ok(())
    }

    /// Makes `name` a registered, logged-in user, registering it with the library's
    /// defaults ([`Account::for_name`]) if the scenario does not know it and logging
    /// it in if it holds no access token; returns that token. Meant for `Given`
    /// steps: any refusal on the way is an error.
    ///
    /// # Errors
    /// When registration or login does not succeed.
    pub async fn ensure_logged_in(&mut self, name: &str) -> anyhow::Result<String> {
        if !self.users.contains_key(name) {
            self.register(name, Account::for_name(name)).await?;
            self.expect_status(201, &format!("registering {name:?}"))?;
        }
        if self.user(name)?.access_token.is_none() {
            self.log_in(name, None, None).await?;
            self.expect_status(200, &format!("logging {name:?} in"))?;
        }
        self.access_token(name)
    }
}
