use std::collections::HashMap;

use chrono::{DateTime, Duration, TimeZone, Utc};
use jsonwebtoken::{decode, decode_header, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use tenantry_application::identity::ports::{AccessClaims, IssuedAccessToken, PublishedKey, TokenIssuer};
use tenantry_application::ports::TokenError;
use tenantry_kernel::{SessionId, UserId};
use uuid::Uuid;

use super::keys::KeyRing;

/// Access tokens live 15 minutes: short enough that a leaked token expires soon,
/// while the session check on every request makes logout immediate anyway.
pub const ACCESS_TOKEN_TTL_SECONDS: i64 = 15 * 60;

pub(super) const ISSUER: &str = "tenantry";
const AUDIENCE: &str = "tenantry-api";
/// Clock skew tolerated on `nbf` between servers.
const LEEWAY_SECONDS: i64 = 5;

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: Uuid,
    sid: Uuid,
    iss: String,
    aud: String,
    iat: i64,
    nbf: i64,
    exp: i64,
    jti: Uuid,
}

/// Claims whose validity window the verifier checks against the injected clock.
pub(super) trait TimeBounded {
    fn not_before(&self) -> i64;
    fn expires(&self) -> i64;
}

impl TimeBounded for Claims {
    fn not_before(&self) -> i64 {
        self.nbf
    }
    fn expires(&self) -> i64 {
        self.exp
    }
}

/// EdDSA (Ed25519) JWTs of one audience with a `kid` header. Every key of the ring
/// verifies, so tokens signed before a rotation stay valid until they expire; only
/// EdDSA is accepted, which rules out `alg: none` and HS/RS confusion; the audience
/// keeps one kind of token from passing as another.
pub(super) struct EdDsaJwt {
    signing_kid: String,
    encoding: EncodingKey,
    decoding: HashMap<String, DecodingKey>,
    validation: Validation,
}

impl EdDsaJwt {
    pub(super) fn new(ring: &KeyRing, audience: &str) -> Self {
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[audience]);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        // Time is checked against the injected clock below, not the library's.
        validation.validate_exp = false;
        validation.validate_nbf = false;
        let signing = ring.signing();
        Self {
            signing_kid: signing.kid.clone(),
            encoding: EncodingKey::from_ed_der(&signing.pkcs8),
            decoding: ring.all().iter().map(|key| (key.kid.clone(), DecodingKey::from_ed_der(&key.public))).collect(),
            validation,
        }
    }

    pub(super) fn sign(&self, claims: &impl Serialize) -> Result<String, TokenError> {
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(self.signing_kid.clone());
        encode(&header, claims, &self.encoding).map_err(|e| TokenError::Signing(e.to_string()))
    }

    pub(super) fn open<C: DeserializeOwned + TimeBounded>(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<C, TokenError> {
        let header = decode_header(token).map_err(|e| TokenError::Invalid(e.to_string()))?;
        let kid = header.kid.ok_or_else(|| TokenError::Invalid("no kid".into()))?;
        let key = self.decoding.get(&kid).ok_or_else(|| TokenError::Invalid("unknown kid".into()))?;
        let claims = decode::<C>(token, key, &self.validation).map_err(|e| TokenError::Invalid(e.to_string()))?.claims;
        let now = now.timestamp();
        if now >= claims.expires() {
            return Err(TokenError::Expired);
        }
        // A token from the future means a skewed or forged issuer.
        if claims.not_before() > now + LEEWAY_SECONDS {
            return Err(TokenError::Invalid("not yet valid".into()));
        }
        Ok(claims)
    }
}

/// Access tokens: EdDSA JWTs for the API audience.
pub struct JwtTokenIssuer {
    jwt: EdDsaJwt,
    published: Vec<PublishedKey>,
}

impl JwtTokenIssuer {
    pub fn new(ring: &KeyRing) -> Self {
        Self {
            jwt: EdDsaJwt::new(ring, AUDIENCE),
            published: ring
                .all()
                .iter()
                .map(|key| PublishedKey {
                    kid: key.kid.clone(),
                    algorithm: "EdDSA",
                    curve: "Ed25519",
                    x: key.public_x(),
                })
                .collect(),
        }
    }
}

impl TokenIssuer for JwtTokenIssuer {
    fn issue(
        &self,
        user_id: UserId,
        session_id: SessionId,
        now: DateTime<Utc>,
    ) -> Result<IssuedAccessToken, TokenError> {
        let issued_at = now.timestamp();
        let claims = Claims {
            sub: user_id.as_uuid(),
            sid: session_id.as_uuid(),
            iss: ISSUER.to_owned(),
            aud: AUDIENCE.to_owned(),
            iat: issued_at,
            nbf: issued_at,
            exp: issued_at + ACCESS_TOKEN_TTL_SECONDS,
            jti: Uuid::now_v7(),
        };
        let token = self.jwt.sign(&claims)?;
        Ok(IssuedAccessToken { token, expires_in_seconds: ACCESS_TOKEN_TTL_SECONDS })
    }

    fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<AccessClaims, TokenError> {
        let claims: Claims = self.jwt.open(token, now)?;
        let expires_at =
            Utc.timestamp_opt(claims.exp, 0).single().ok_or_else(|| TokenError::Invalid("bad exp".into()))?;
        Ok(AccessClaims {
            user_id: UserId::from_uuid(claims.sub),
            session_id: SessionId::from_uuid(claims.sid),
            expires_at,
        })
    }

    fn published_keys(&self) -> Vec<PublishedKey> {
        self.published.clone()
    }
}

/// Whole-token lifetime as a `Duration`, for callers that prefer chrono.
pub fn access_token_ttl() -> Duration {
    Duration::seconds(ACCESS_TOKEN_TTL_SECONDS)
}

/// The attack corpus of access tokens: every forgery and misuse a verifier must refuse.
#[cfg(test)]
mod tests {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;

    use super::*;
    use crate::crypto::keys::SigningKey;

    fn ring() -> KeyRing {
        KeyRing::new(vec![SigningKey::generate().unwrap()]).unwrap()
    }

    fn b64(text: &str) -> String {
        URL_SAFE_NO_PAD.encode(text)
    }

    /// A token with the given header and claims, signed by `issuer`'s own key (so
    /// only the claims are wrong).
    fn signed_with(ring: &KeyRing, claims: serde_json::Value) -> String {
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(ring.signing().kid.clone());
        encode(&header, &claims, &EncodingKey::from_ed_der(&ring.signing().pkcs8)).unwrap()
    }

    fn claims(now: i64) -> serde_json::Value {
        serde_json::json!({
            "sub": Uuid::now_v7(), "sid": Uuid::now_v7(), "iss": ISSUER, "aud": AUDIENCE,
            "iat": now, "nbf": now, "exp": now + 900, "jti": Uuid::now_v7(),
        })
    }

    #[test]
    fn a_fresh_token_verifies_to_its_user_and_session_and_names_its_key() {
        let ring = ring();
        let issuer = JwtTokenIssuer::new(&ring);
        let (user, session, now) = (UserId::new(), SessionId::new(), Utc::now());
        let token = issuer.issue(user, session, now).unwrap();
        assert_eq!(token.expires_in_seconds, 900);
        assert_eq!(decode_header(&token.token).unwrap().kid.as_deref(), Some(ring.signing().kid.as_str()));
        let claims = issuer.verify(&token.token, now).unwrap();
        assert_eq!((claims.user_id, claims.session_id), (user, session));
    }

    #[test]
    fn expires_after_fifteen_minutes() {
        let issuer = JwtTokenIssuer::new(&ring());
        let now = Utc::now();
        let token = issuer.issue(UserId::new(), SessionId::new(), now).unwrap().token;
        assert!(issuer.verify(&token, now + access_token_ttl() - Duration::seconds(1)).is_ok());
        assert_eq!(issuer.verify(&token, now + access_token_ttl()), Err(TokenError::Expired));
    }

    #[test]
    fn tokens_of_a_rotated_out_signing_key_still_verify_and_the_jwks_lists_both() {
        let old = SigningKey::generate().unwrap();
        let before = JwtTokenIssuer::new(&KeyRing::new(vec![old.clone()]).unwrap());
        let token = before.issue(UserId::new(), SessionId::new(), Utc::now()).unwrap().token;
        let after = JwtTokenIssuer::new(&KeyRing::new(vec![old.clone(), SigningKey::generate().unwrap()]).unwrap());
        assert!(after.verify(&token, Utc::now()).is_ok());
        let fresh = after.issue(UserId::new(), SessionId::new(), Utc::now()).unwrap().token;
        assert_ne!(decode_header(&fresh).unwrap().kid, Some(old.kid.clone()));
        assert_eq!(after.published_keys().len(), 2);
        assert!(after.published_keys().iter().all(|k| k.algorithm == "EdDSA" && k.curve == "Ed25519"));
    }

    #[test]
    fn refuses_a_token_of_a_key_it_does_not_know() {
        let now = Utc::now();
        let stranger = JwtTokenIssuer::new(&ring()).issue(UserId::new(), SessionId::new(), now).unwrap().token;
        assert_eq!(JwtTokenIssuer::new(&ring()).verify(&stranger, now), Err(TokenError::Invalid("unknown kid".into())));
    }

    #[test]
    fn refuses_a_known_kid_with_a_signature_of_another_key() {
        let ring = ring();
        let now = Utc::now();
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(ring.signing().kid.clone());
        let other = SigningKey::generate().unwrap();
        let forged = encode(&header, &claims(now.timestamp()), &EncodingKey::from_ed_der(&other.pkcs8)).unwrap();
        assert!(JwtTokenIssuer::new(&ring).verify(&forged, now).is_err());
    }

    #[test]
    fn refuses_alg_none_and_hmac_signed_with_the_public_key() {
        let ring = ring();
        let issuer = JwtTokenIssuer::new(&ring);
        let now = Utc::now();
        let payload = b64(&claims(now.timestamp()).to_string());
        let kid = &ring.signing().kid;
        let none = format!("{}.{payload}.", b64(&format!(r#"{{"alg":"none","typ":"JWT","kid":"{kid}"}}"#)));
        assert!(issuer.verify(&none, now).is_err());
        // HS/RS confusion: an HMAC keyed with the published public key.
        for secret in [ring.signing().public_x().into_bytes(), ring.signing().public.clone()] {
            let mut header = Header::new(Algorithm::HS256);
            header.kid = Some(kid.clone());
            let confused = encode(&header, &claims(now.timestamp()), &EncodingKey::from_secret(&secret)).unwrap();
            assert!(issuer.verify(&confused, now).is_err());
        }
    }

    #[test]
    fn refuses_a_tampered_payload() {
        let issuer = JwtTokenIssuer::new(&ring());
        let now = Utc::now();
        let token = issuer.issue(UserId::new(), SessionId::new(), now).unwrap().token;
        let parts: Vec<&str> = token.split('.').collect();
        let forged = format!("{}.{}.{}", parts[0], b64(&claims(now.timestamp()).to_string()), parts[2]);
        assert!(issuer.verify(&forged, now).is_err());
    }

    #[test]
    fn refuses_wrong_issuer_audience_not_yet_valid_and_missing_claims() {
        let ring = ring();
        let issuer = JwtTokenIssuer::new(&ring);
        let now = Utc::now();
        let at = now.timestamp();
        let mut wrong_iss = claims(at);
        wrong_iss["iss"] = "someone-else".into();
        let mut wrong_aud = claims(at);
        wrong_aud["aud"] = "another-api".into();
        let mut future = claims(at);
        future["nbf"] = (at + 3600).into();
        let mut expired = claims(at);
        expired["exp"] = (at - 1).into();
        let mut no_exp = claims(at);
        no_exp.as_object_mut().unwrap().remove("exp");
        for bad in [wrong_iss, wrong_aud, future, no_exp] {
            assert!(matches!(issuer.verify(&signed_with(&ring, bad), now), Err(TokenError::Invalid(_))));
        }
        assert_eq!(issuer.verify(&signed_with(&ring, expired), now), Err(TokenError::Expired));
        assert!(issuer.verify(&signed_with(&ring, claims(at)), now).is_ok());
    }

    #[test]
    fn refuses_garbage() {
        let issuer = JwtTokenIssuer::new(&ring());
        for garbage in ["", "a.b", "a.b.c", "' OR 1=1 --", &"x".repeat(10_000)] {
            assert!(issuer.verify(garbage, Utc::now()).is_err(), "{garbage:?}");
        }
    }
}
