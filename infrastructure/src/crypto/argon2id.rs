use std::sync::{Arc, Mutex, PoisonError};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{Output, ParamsString, PasswordHash as PhcHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use async_trait::async_trait;
use tenantry_application::identity::ports::{HashError, PasswordHasher};
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
    /// The working memory, reused: allocating and freeing `m` KiB per login left a
    /// copy cached in the malloc arena of every blocking thread that ever hashed
    /// (the benchmark saw the server grow to 380 MiB). At most one buffer per permit.
    memory: Arc<Mutex<Vec<Vec<Block>>>>,
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
        let memory = Arc::new(Mutex::new(Vec::new()));
        let decoy = hash_blocking(&params, "decoy password for unknown accounts", &memory)?;
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Ok(Self { params, decoy, permits: Arc::new(Semaphore::new(cores)), memory })
    }

    async fn off_executor<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<T, HashError> + Send + 'static,
    ) -> Result<T, HashError> {
        // The permit travels with the blocking job: a request that is cancelled while
        // its hash runs must not free a slot for another hash before this one ends.
        let permit =
            self.permits.clone().acquire_owned().await.map_err(|e| HashError(format!("hashing closed: {e}")))?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            work()
        })
        .await
        .map_err(|e| HashError(format!("hashing task failed: {e}")))?
    }
}

type Memory = Mutex<Vec<Vec<Block>>>;

fn phc_error(error: argon2::password_hash::Error) -> HashError {
    HashError(error.to_string())
}

/// The largest stored memory cost verified: a hash whose `m` is beyond any setting we
/// would use (8x OWASP's) is refused instead of allocated.
const MAX_MEMORY_KIB: u32 = 8 * 19 * 1024;

/// Runs argon2 into `out` on a buffer from `memory`, and gives the buffer back unless
/// it grew beyond `keep_blocks` (a hash stored under a larger `m` than today's).
fn compute(
    argon2: &Argon2<'_>,
    params: &Params,
    input: (&[u8], &[u8]),
    out: &mut [u8],
    memory: &Memory,
    keep_blocks: usize,
) -> Result<(), argon2::Error> {
    let (password, salt) = input;
    let mut blocks = memory.lock().unwrap_or_else(PoisonError::into_inner).pop().unwrap_or_default();
    blocks.resize(params.block_count(), Block::default());
    let result = argon2.hash_password_into_with_memory(password, salt, out, &mut blocks);
    if blocks.capacity() <= keep_blocks {
        memory.lock().unwrap_or_else(PoisonError::into_inner).push(blocks);
    }
    result
}

fn hash_blocking(params: &Params, password: &str, memory: &Memory) -> Result<String, HashError> {
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt.as_salt().decode_b64(&mut salt_bytes).map_err(phc_error)?;
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let output = Output::init_with(params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN), |out| {
        compute(&argon2, params, (password.as_bytes(), salt_bytes), out, memory, params.block_count())
            .map_err(Into::into)
    })
    .map_err(phc_error)?;
    let phc = PhcHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(params).map_err(phc_error)?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    };
    Ok(phc.to_string())
}

/// Recomputes with the stored hash's own algorithm, version and parameters, so
/// hashes made under older settings keep verifying. `keep_blocks` is today's cost.
fn verify_blocking(password: &str, phc: &str, memory: &Memory, keep_blocks: usize) -> Result<bool, HashError> {
    let parsed = PhcHash::new(phc).map_err(phc_error)?;
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        // As the stock verifier answers: such a hash matches no password.
        return Ok(false);
    };
    let algorithm = Algorithm::try_from(parsed.algorithm).map_err(phc_error)?;
    let version =
        parsed.version.map(Version::try_from).transpose().map_err(|e| HashError(e.to_string()))?.unwrap_or_default();
    let params = Params::try_from(&parsed).map_err(phc_error)?;
    if params.m_cost() > MAX_MEMORY_KIB {
        return Err(HashError(format!("the stored hash asks for {} KiB, over {MAX_MEMORY_KIB}", params.m_cost())));
    }
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt.decode_b64(&mut salt_bytes).map_err(phc_error)?;
    let argon2 = Argon2::new(algorithm, version, params.clone());
    let computed = Output::init_with(expected.len(), |out| {
        compute(&argon2, &params, (password.as_bytes(), salt_bytes), out, memory, keep_blocks).map_err(Into::into)
    })
    .map_err(phc_error)?;
    // `Output` compares in constant time.
    Ok(computed == expected)
}

#[async_trait]
impl PasswordHasher for Argon2Hasher {
    async fn hash(&self, password: &Password) -> Result<PasswordHash, HashError> {
        let (params, password, memory) = (self.params.clone(), password.expose().to_owned(), self.memory.clone());
        self.off_executor(move || hash_blocking(&params, &password, &memory)).await.map(PasswordHash::from_phc)
    }

    async fn verify(&self, password: &Password, hash: Option<&PasswordHash>) -> Result<bool, HashError> {
        let (password, memory, keep_blocks) =
            (password.expose().to_owned(), self.memory.clone(), self.params.block_count());
        let (phc, known) = match hash {
            Some(hash) => (hash.as_phc().to_owned(), true),
            None => (self.decoy.clone(), false),
        };
        let matches = self.off_executor(move || verify_blocking(&password, &phc, &memory, keep_blocks)).await?;
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
    async fn verifies_hashes_made_by_the_stock_argon2_api_under_other_parameters() {
        use argon2::password_hash::PasswordHasher as _;
        let weaker = Params::new(8 * 1024, 1, 1, None).unwrap();
        let salt = SaltString::generate(&mut OsRng);
        let stock = Argon2::new(Algorithm::Argon2id, Version::V0x13, weaker)
            .hash_password(b"correct horse battery staple", &salt)
            .unwrap()
            .to_string();
        let hasher = Argon2Hasher::owasp().unwrap();
        let stored = PasswordHash::from_phc(stock);
        assert!(hasher.verify(&password("correct horse battery staple"), Some(&stored)).await.unwrap());
        assert!(!hasher.verify(&password("incorrect horse battery"), Some(&stored)).await.unwrap());
    }

    #[tokio::test]
    async fn reuses_one_working_buffer_per_concurrent_hash() {
        let hasher = Argon2Hasher::owasp().unwrap();
        let hash = hasher.hash(&password("correct horse battery staple")).await.unwrap();
        for _ in 0..4 {
            hasher.verify(&password("correct horse battery staple"), Some(&hash)).await.unwrap();
        }
        let buffers = hasher.memory.lock().unwrap().len();
        assert_eq!(buffers, 1, "sequential hashes share one buffer");
    }

    #[tokio::test]
    async fn a_costlier_stored_hash_verifies_without_its_buffer_staying_and_an_absurd_one_is_refused() {
        use argon2::password_hash::PasswordHasher as _;
        let stock = |memory_kib: u32| {
            let params = Params::new(memory_kib, 1, 1, None).unwrap();
            let salt = SaltString::generate(&mut OsRng);
            let phc = Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
                .hash_password(b"correct horse battery staple", &salt)
                .unwrap()
                .to_string();
            PasswordHash::from_phc(phc)
        };
        let hasher = Argon2Hasher::owasp().unwrap();
        let right = password("correct horse battery staple");
        assert!(hasher.verify(&right, Some(&stock(32 * 1024))).await.unwrap());
        assert!(hasher.memory.lock().unwrap().is_empty(), "the 32 MiB buffer is dropped, not pooled");
        let absurd =
            PasswordHash::from_phc(stock(8 * 1024).as_phc().replace("m=8192", &format!("m={}", MAX_MEMORY_KIB + 1)));
        assert!(hasher.verify(&right, Some(&absurd)).await.is_err());
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
