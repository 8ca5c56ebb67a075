use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::rngs::OsRng;
use rand::RngCore;
use sha2::{Digest, Sha256};
use tenantry_application::identity::ports::OpaqueTokens;

/// 256-bit random tokens; stored as SHA-256 (a fast hash is right here: the token
/// has full entropy, unlike a password, so it cannot be brute-forced offline).
#[derive(Debug, Default, Clone, Copy)]
pub struct Sha256OpaqueTokens;

impl OpaqueTokens for Sha256OpaqueTokens {
    fn generate(&self) -> (String, String) {
        let mut bytes = [0u8; 32];
        OsRng.fill_bytes(&mut bytes);
        let token = URL_SAFE_NO_PAD.encode(bytes);
        let hash = self.hash(&token);
        (token, hash)
    }

    fn hash(&self, token: &str) -> String {
        hex::encode(Sha256::digest(token.as_bytes()))
    }
}

/// A fresh 512-bit secret, base64url-encoded (signing keys generated on first start).
pub fn random_secret() -> String {
    let mut bytes = [0u8; 64];
    OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_unique_and_hash_to_what_is_stored() {
        let tokens = Sha256OpaqueTokens;
        let (a, a_hash) = tokens.generate();
        let (b, _) = tokens.generate();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(tokens.hash(&a), a_hash);
        assert_ne!(a, a_hash);
    }
}
