use chrono::{DateTime, Duration, TimeZone, Utc};
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use tenantry_application::ports::{AccessClaims, IssuedAccessToken, TokenError, TokenIssuer};
use tenantry_kernel::{SessionId, UserId};
use uuid::Uuid;

/// Access tokens live 15 minutes: short enough that a leaked token expires soon,
/// while the session check on every request makes logout immediate anyway.
pub const ACCESS_TOKEN_TTL_SECONDS: i64 = 15 * 60;

const ISSUER: &str = "tenantry";
const AUDIENCE: &str = "tenantry-api";
/// HS256 keys shorter than the hash output weaken the MAC (RFC 7518 §3.2).
const MIN_SECRET_BYTES: usize = 32;

#[derive(Debug, thiserror::Error)]
#[error("the JWT signing secret must be at least {MIN_SECRET_BYTES} bytes")]
pub struct JwtConfigError;

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

/// HS256-signed access tokens carrying the session id. (Asymmetric keys with `kid`
/// rotation and a JWKS endpoint come with the ASVS hardening issue.)
pub struct JwtTokenIssuer {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl JwtTokenIssuer {
    /// # Errors
    /// `JwtConfigError` when the secret is too short to be safe.
    pub fn hs256(secret: &SecretString) -> Result<Self, JwtConfigError> {
        let bytes = secret.expose_secret().as_bytes();
        if bytes.len() < MIN_SECRET_BYTES {
            return Err(JwtConfigError);
        }
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        // Time is checked against the injected clock below, not the library's.
        validation.validate_exp = false;
        validation.validate_nbf = false;
        Ok(Self { encoding: EncodingKey::from_secret(bytes), decoding: DecodingKey::from_secret(bytes), validation })
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
        let token = encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| TokenError::Signing(e.to_string()))?;
        Ok(IssuedAccessToken { token, expires_in_seconds: ACCESS_TOKEN_TTL_SECONDS })
    }

    fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<AccessClaims, TokenError> {
        let data = decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|e| TokenError::Invalid(e.to_string()))?;
        let claims = data.claims;
        let now = now.timestamp();
        if now >= claims.exp {
            return Err(TokenError::Expired);
        }
        // A token from the future means a skewed or forged issuer.
        if claims.nbf > now + 5 {
            return Err(TokenError::Invalid("not yet valid".into()));
        }
        let expires_at =
            Utc.timestamp_opt(claims.exp, 0).single().ok_or_else(|| TokenError::Invalid("bad exp".into()))?;
        Ok(AccessClaims {
            user_id: UserId::from_uuid(claims.sub),
            session_id: SessionId::from_uuid(claims.sid),
            expires_at,
        })
    }
}

/// Whole-token lifetime as a `Duration`, for callers that prefer chrono.
pub fn access_token_ttl() -> Duration {
    Duration::seconds(ACCESS_TOKEN_TTL_SECONDS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issuer(secret: &str) -> JwtTokenIssuer {
        JwtTokenIssuer::hs256(&SecretString::from(secret.to_owned())).unwrap()
    }

    const SECRET: &str = "0123456789abcdef0123456789abcdef-test";

    #[test]
    fn a_fresh_token_verifies_to_its_user_and_session() {
        let (user, session, now) = (UserId::new(), SessionId::new(), Utc::now());
        let token = issuer(SECRET).issue(user, session, now).unwrap();
        assert_eq!(token.expires_in_seconds, 900);
        let claims = issuer(SECRET).verify(&token.token, now).unwrap();
        assert_eq!((claims.user_id, claims.session_id), (user, session));
    }

    #[test]
    fn expires_after_fifteen_minutes() {
        let now = Utc::now();
        let token = issuer(SECRET).issue(UserId::new(), SessionId::new(), now).unwrap().token;
        assert!(issuer(SECRET).verify(&token, now + access_token_ttl() - Duration::seconds(1)).is_ok());
        assert_eq!(issuer(SECRET).verify(&token, now + access_token_ttl()), Err(TokenError::Expired));
    }

    #[test]
    fn refuses_another_key_a_tampered_payload_and_alg_none() {
        let now = Utc::now();
        let token = issuer(SECRET).issue(UserId::new(), SessionId::new(), now).unwrap().token;
        assert!(issuer("another secret that is long enough!!").verify(&token, now).is_err());

        let parts: Vec<&str> = token.split('.').collect();
        let forged_payload = base64::Engine::encode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            format!(
                r#"{{"sub":"{}","sid":"{}","iss":"tenantry","aud":"tenantry-api","iat":0,"nbf":0,"exp":9999999999,"jti":"{}"}}"#,
                Uuid::now_v7(),
                Uuid::now_v7(),
                Uuid::now_v7()
            ),
        );
        assert!(issuer(SECRET).verify(&format!("{}.{}.{}", parts[0], forged_payload, parts[2]), now).is_err());
        let none_header =
            base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, r#"{"alg":"none","typ":"JWT"}"#);
        assert!(issuer(SECRET).verify(&format!("{none_header}.{}.", parts[1]), now).is_err());
    }

    #[test]
    fn refuses_short_secrets() {
        assert!(JwtTokenIssuer::hs256(&SecretString::from("short".to_owned())).is_err());
    }
}
