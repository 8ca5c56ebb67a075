use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash as PhcHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use std::sync::Arc;

use argon2::{Algorithm, Argon2, Params, Version};
use async_trait::async_trait;
use tenantry_application::ports::{HashError, PasswordHasher};
use tenantry_domain::identity::{Password, PasswordHash};
use tokio::sync::Semaphore;

/// argon2id with the OWASP Password Storage Cheat Sheet parameters (m=19 MiB, t=2,
/// p=1). Hashing runs on the blocking pool so a login never stalls the executor.
#[derive(Clone)]
pub struct Argon2Hasher {
    params: Params,
    /// Verified against when the account does not exist, so that path costs the same.
    decoy: String,
    /// One hash per core at a time: each holds `m` KiB, so a flood of logins queues
    /// here instead of multiplying memory (and thrashing the cores) without bound.
    permits: Arc<Semaphore>,
}

impl Argon2Hasher {
    /// # Errors
    /// When the parameters are out of argon2's range or the decoy cannot be hashed.
    pub fn owasp() -> Result<Self, HashError> {
        Self::with_params(19 * 1024, 2, 1)
    }

    /// Custom cost (benchmarks, or a deliberately stronger setting).
    ///
    /// # Errors
    /// When the parameters are out of argon2's range.
    pub fn with_params(memory_kib: u32, iterations: u32, parallelism: u32) -> Result<Self, HashError> {
        let params = Params::new(memory_kib, iterations, parallelism, None).map_err(|e| HashError(e.to_string()))?;
        let decoy = hash_blocking(&params, "decoy password for unknown accounts")?;
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Ok(Self { params, decoy, permits: Arc::new(Semaphore::new(cores)) })
    }

    async fn off_executor<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<T, HashError> + Send + 'static,
    ) -> Result<T, HashError> {
        let _permit = self.permits.acquire().await.map_err(|e| HashError(format!("hashing closed: {e}")))?;
        tokio::task::spawn_blocking(work).await.map_err(|e| HashError(format!("hashing task failed: {e}")))?
    }
}

fn argon2(params: &Params) -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
}

fn hash_blocking(params: &Params, password: &str) -> Result<String, HashError> {
    let salt = SaltString::generate(&mut OsRng);
    argon2(params)
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| HashError(e.to_string()))
}

fn verify_blocking(params: &Params, password: &str, phc: &str) -> Result<bool, HashError> {
    let parsed = PhcHash::new(phc).map_err(|e| HashError(e.to_string()))?;
    match argon2(params).verify_password(password.as_bytes(), &parsed) {
        Ok(()) => Ok(true),
        Err(argon2::password_hash::Error::Password) => Ok(false),
        Err(e) => Err(HashError(e.to_string())),
    }
}

#[async_trait]
impl PasswordHasher for Argon2Hasher {
    async fn hash(&self, password: &Password) -> Result<PasswordHash, HashError> {
        let (params, password) = (self.params.clone(), password.expose().to_owned());
        self.off_executor(move || hash_blocking(&params, &password)).await.map(PasswordHash::from_phc)
    }

    async fn verify(&self, password: &Password, hash: Option<&PasswordHash>) -> Result<bool, HashError> {
        let params = self.params.clone();
        let password = password.expose().to_owned();
        let (phc, known) = match hash {
            Some(hash) => (hash.as_phc().to_owned(), true),
            None => (self.decoy.clone(), false),
        };
        let matches = self.off_executor(move || verify_blocking(&params, &password, &phc)).await?;
        Ok(known && matches)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn password(raw: &str) -> Password {
        Password::parse(raw).unwrap()
    }

    #[tokio::test]
    async fn hashes_with_argon2id_and_owasp_parameters() {
        let hasher = Argon2Hasher::owasp().unwrap();
        let hash = hasher.hash(&password("correct horse battery staple")).await.unwrap();
        assert!(hash.as_phc().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{}", hash.as_phc());
    }

    #[tokio::test]
    async fn verifies_the_right_password_only() {
        let hasher = Argon2Hasher::owasp().unwrap();
        let hash = hasher.hash(&password("correct horse battery staple")).await.unwrap();
        assert!(hasher.verify(&password("correct horse battery staple"), Some(&hash)).await.unwrap());
        assert!(!hasher.verify(&password("incorrect horse battery"), Some(&hash)).await.unwrap());
    }

    #[tokio::test]
    async fn the_decoy_path_never_succeeds() {
        let hasher = Argon2Hasher::owasp().unwrap();
        assert!(!hasher.verify(&password("decoy password for unknown accounts"), None).await.unwrap());
    }

    #[tokio::test]
    async fn salts_make_equal_passwords_hash_differently() {
        let hasher = Argon2Hasher::owasp().unwrap();
        let a = hasher.hash(&password("correct horse battery staple")).await.unwrap();
        let b = hasher.hash(&password("correct horse battery staple")).await.unwrap();
        assert_ne!(a.as_phc(), b.as_phc());
    }
}
