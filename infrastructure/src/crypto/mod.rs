//! Credentials and tokens: argon2id password hashing, signed JWT access tokens and
//! hashed opaque refresh tokens.

mod argon2id;
mod jwt;
mod opaque;

pub use argon2id::Argon2Hasher;
pub use jwt::{access_token_ttl, JwtConfigError, JwtTokenIssuer, ACCESS_TOKEN_TTL_SECONDS};
pub use opaque::{random_secret, Sha256OpaqueTokens};
