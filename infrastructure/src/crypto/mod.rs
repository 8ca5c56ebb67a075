//! Credentials and tokens: argon2id password hashing, EdDSA-signed JWT access tokens (with a key ring for rotation) signed download links and
//! hashed opaque refresh tokens.

mod argon2id;
mod file_links;
mod jwt;
mod keys;
mod opaque;

pub use argon2id::Argon2Hasher;
pub use file_links::JwtFileLinkSigner;
pub use jwt::{access_token_ttl, JwtTokenIssuer, ACCESS_TOKEN_TTL_SECONDS};
pub use keys::{KeyError, KeyRing, SigningKey};
pub use opaque::{random_secret, Sha256OpaqueTokens};
