use chrono::{DateTime, Duration, Utc};
use tenantry_kernel::{TenantId, UserId, ValidationError};

tenantry_kernel::typed_id!(
    /// An organization's API key for machine clients.
    ApiKeyId
);

/// Every API key starts with this, so scanners (and people) recognise a leaked one.
pub const API_KEY_PREFIX: &str = "tk_";
/// How much of a key is kept in clear to tell keys apart in a list.
pub const API_KEY_DISPLAY_CHARS: usize = 10;
/// Keys that expire may live at most this long.
pub const API_KEY_MAX_TTL_DAYS: i64 = 366;

/// A validated key name: 1 to 100 characters after trimming, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKeyName(String);

impl ApiKeyName {
    /// # Errors
    /// `ValidationError` on field `name`: `required`, `too_long` or `invalid_characters`.
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        tenantry_kernel::text::single_line(raw, "name", 100).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Why requested scopes were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScopeError {
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// A key never carries more than its creator may do.
    #[error("a key cannot carry a permission its creator lacks")]
    NotHeld,
}

/// Checks requested scopes: at least one, all `known` permissions (Tenantry's and its
/// modules'), each `held` by the creator. Answers them sorted and without duplicates.
///
/// # Errors
/// `Invalid` on field `scopes` (`required`, `unknown`); `NotHeld`.
pub fn validate_scopes(
    requested: &[String],
    known: impl Fn(&str) -> bool,
    held: impl Fn(&str) -> bool,
) -> Result<Vec<String>, ScopeError> {
    if requested.is_empty() {
        return Err(ValidationError::field("scopes", "required").into());
    }
    let mut scopes: Vec<String> = Vec::with_capacity(requested.len());
    for scope in requested {
        if !known(scope) {
            return Err(ValidationError::field("scopes", "unknown").into());
        }
        if !scopes.contains(scope) {
            scopes.push(scope.clone());
        }
    }
    if scopes.iter().any(|scope| !held(scope)) {
        return Err(ScopeError::NotHeld);
    }
    scopes.sort();
    Ok(scopes)
}

/// A machine credential of one organization. The secret exists only in the
/// creation answer; the key keeps its SHA-256 and a short display prefix.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiKey {
    id: ApiKeyId,
    tenant_id: TenantId,
    name: ApiKeyName,
    display_prefix: String,
    token_hash: String,
    scopes: Vec<String>,
    created_by: UserId,
    created_at: DateTime<Utc>,
    expires_at: Option<DateTime<Utc>>,
    last_used_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
}

impl ApiKey {
    /// A new key; `secret` is the full `tk_...` value (only its prefix is kept).
    #[allow(clippy::too_many_arguments)]
    pub fn issue(
        tenant_id: TenantId,
        name: ApiKeyName,
        secret: &str,
        token_hash: String,
        scopes: Vec<String>,
        created_by: UserId,
        expires_in_days: Option<u32>,
        now: DateTime<Utc>,
    ) -> Result<Self, ValidationError> {
        let expires_at = match expires_in_days {
            None => None,
            Some(days) if (1..=API_KEY_MAX_TTL_DAYS).contains(&i64::from(days)) => {
                Some(now + Duration::days(i64::from(days)))
            }
            Some(_) => return Err(ValidationError::field("expires_in_days", "out_of_range")),
        };
        Ok(Self {
            id: ApiKeyId::new(),
            tenant_id,
            name,
            display_prefix: secret.chars().take(API_KEY_DISPLAY_CHARS).collect(),
            token_hash,
            scopes,
            created_by,
            created_at: now,
            expires_at,
            last_used_at: None,
            revoked_at: None,
        })
    }

    /// Rebuilds a key from storage; only adapters call this.
    #[allow(clippy::too_many_arguments)]
    pub fn restore(
        id: ApiKeyId,
        tenant_id: TenantId,
        name: ApiKeyName,
        display_prefix: String,
        token_hash: String,
        scopes: Vec<String>,
        created_by: UserId,
        created_at: DateTime<Utc>,
        expires_at: Option<DateTime<Utc>>,
        last_used_at: Option<DateTime<Utc>>,
        revoked_at: Option<DateTime<Utc>>,
    ) -> Self {
        Self {
            id,
            tenant_id,
            name,
            display_prefix,
            token_hash,
            scopes,
            created_by,
            created_at,
            expires_at,
            last_used_at,
            revoked_at,
        }
    }

    /// Revokes the key; `false` when it already was.
    pub fn revoke(&mut self, now: DateTime<Utc>) -> bool {
        if self.revoked_at.is_some() {
            return false;
        }
        self.revoked_at = Some(now);
        true
    }

    /// Whether the key may authenticate at `now`.
    pub fn is_usable(&self, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|at| now < at)
    }

    pub fn id(&self) -> ApiKeyId {
        self.id
    }
    pub fn tenant_id(&self) -> TenantId {
        self.tenant_id
    }
    pub fn name(&self) -> &ApiKeyName {
        &self.name
    }
    pub fn display_prefix(&self) -> &str {
        &self.display_prefix
    }
    pub fn token_hash(&self) -> &str {
        &self.token_hash
    }
    pub fn scopes(&self) -> &[String] {
        &self.scopes
    }
    pub fn created_by(&self) -> UserId {
        self.created_by
    }
    pub fn created_at(&self) -> DateTime<Utc> {
        self.created_at
    }
    pub fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.expires_at
    }
    pub fn last_used_at(&self) -> Option<DateTime<Utc>> {
        self.last_used_at
    }
    pub fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.revoked_at
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tenancy::{Role, PERMISSION_CATALOGUE};

    fn scopes(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    fn validate_scopes(requested: &[String], creator: Role) -> Result<Vec<String>, ScopeError> {
        super::validate_scopes(requested, |s| PERMISSION_CATALOGUE.iter().any(|p| p.key == s), |s| creator.grants(s))
    }

    #[test]
    fn scopes_must_be_known_and_held_by_the_creator() {
        assert_eq!(
            validate_scopes(&scopes(&["member:read", "organization:read", "member:read"]), Role::Member),
            Ok(scopes(&["member:read", "organization:read"]))
        );
        assert!(validate_scopes(&[], Role::Owner).is_err());
        assert!(validate_scopes(&scopes(&["root:everything"]), Role::Owner).is_err());
        assert_eq!(validate_scopes(&scopes(&["member:invite"]), Role::Member), Err(ScopeError::NotHeld));
    }

    #[test]
    fn a_key_keeps_only_a_display_prefix_and_stops_working_when_revoked_or_expired() {
        let now = Utc::now();
        let secret = "tk_abcdefghijklmnopqrstuvwxyz";
        let name = ApiKeyName::parse(" CI deploy ").unwrap();
        let mut key =
            ApiKey::issue(TenantId::new(), name, secret, "h".into(), vec![], UserId::new(), Some(30), now).unwrap();
        assert_eq!(key.name().as_str(), "CI deploy");
        assert_eq!(key.display_prefix(), "tk_abcdefg");
        assert!(key.is_usable(now));
        assert!(!key.is_usable(now + Duration::days(30)));
        assert!(key.revoke(now));
        assert!(!key.revoke(now));
        assert!(!key.is_usable(now));
        let too_long = ApiKey::issue(
            TenantId::new(),
            ApiKeyName::parse("x").unwrap(),
            secret,
            "h".into(),
            vec![],
            UserId::new(),
            Some(10_000),
            now,
        );
        assert!(too_long.is_err());
    }
}
