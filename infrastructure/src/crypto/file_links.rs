//! Signed download links: EdDSA JWTs of their own audience, so an access token is
//! never a link and a link never an access token.

use chrono::{DateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use tenantry_application::files::ports::{FileLinkClaims, FileLinkSigner};
use tenantry_application::ports::TokenError;
use tenantry_domain::files::FileId;
use tenantry_kernel::{TenantId, UserId};
use uuid::Uuid;

use super::jwt::{EdDsaJwt, TimeBounded, ISSUER};
use super::keys::KeyRing;

const AUDIENCE: &str = "tenantry-file-link";

#[derive(Debug, Serialize, Deserialize)]
struct LinkClaims {
    /// The file.
    sub: Uuid,
    /// Its organization.
    tid: Uuid,
    /// The version the link serves.
    ver: i64,
    /// Who made the link: it works while they still reach the file.
    by: Uuid,
    iss: String,
    aud: String,
    iat: i64,
    nbf: i64,
    exp: i64,
    jti: Uuid,
}

impl TimeBounded for LinkClaims {
    fn not_before(&self) -> i64 {
        self.nbf
    }
    fn expires(&self) -> i64 {
        self.exp
    }
}

/// Download links signed with the access tokens' key ring (rotation included).
pub struct JwtFileLinkSigner {
    jwt: EdDsaJwt,
}

impl JwtFileLinkSigner {
    pub fn new(ring: &KeyRing) -> Self {
        Self { jwt: EdDsaJwt::new(ring, AUDIENCE) }
    }
}

impl FileLinkSigner for JwtFileLinkSigner {
    fn sign(&self, claims: &FileLinkClaims, now: DateTime<Utc>) -> Result<String, TokenError> {
        self.jwt.sign(&LinkClaims {
            sub: claims.file_id.as_uuid(),
            tid: claims.tenant_id.as_uuid(),
            ver: claims.version,
            by: claims.created_by.as_uuid(),
            iss: ISSUER.to_owned(),
            aud: AUDIENCE.to_owned(),
            iat: now.timestamp(),
            nbf: now.timestamp(),
            exp: claims.expires_at.timestamp(),
            jti: Uuid::now_v7(),
        })
    }

    fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<FileLinkClaims, TokenError> {
        let claims: LinkClaims = self.jwt.open(token, now)?;
        Ok(FileLinkClaims {
            tenant_id: TenantId::from_uuid(claims.tid),
            file_id: FileId::from_uuid(claims.sub),
            version: claims.ver,
            created_by: UserId::from_uuid(claims.by),
            expires_at: Utc
                .timestamp_opt(claims.exp, 0)
                .single()
                .ok_or_else(|| TokenError::Invalid("bad exp".into()))?,
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;
    use tenantry_application::identity::ports::TokenIssuer;
    use tenantry_kernel::SessionId;

    use super::*;
    use crate::crypto::keys::SigningKey;
    use crate::crypto::JwtTokenIssuer;

    #[test]
    fn a_link_verifies_until_it_expires_and_is_no_access_token() {
        let ring = KeyRing::new(vec![SigningKey::generate().unwrap()]).unwrap();
        let links = JwtFileLinkSigner::new(&ring);
        let now = Utc.timestamp_opt(Utc::now().timestamp(), 0).unwrap();
        let claims = FileLinkClaims {
            tenant_id: TenantId::new(),
            file_id: FileId::new(),
            version: 3,
            created_by: UserId::new(),
            expires_at: now + Duration::minutes(10),
        };
        let token = links.sign(&claims, now).unwrap();
        assert_eq!(links.verify(&token, now + Duration::minutes(9)).unwrap(), claims);
        assert_eq!(links.verify(&token, now + Duration::minutes(10)), Err(TokenError::Expired));

        let access = JwtTokenIssuer::new(&ring);
        assert!(access.verify(&token, now).is_err(), "a link is not an access token");
        let access_token = access.issue(UserId::new(), SessionId::new(), now).unwrap().token;
        assert!(links.verify(&access_token, now).is_err(), "an access token is not a link");

        let stranger = JwtFileLinkSigner::new(&KeyRing::new(vec![SigningKey::generate().unwrap()]).unwrap());
        assert!(stranger.verify(&token, now).is_err(), "another deployment's key");
        let mut tampered = token.clone();
        tampered.insert(token.len() / 2, 'x');
        assert!(links.verify(&tampered, now).is_err());
    }
}
