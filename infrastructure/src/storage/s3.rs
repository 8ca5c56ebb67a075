//! S3-compatible blob store (AWS S3, MinIO, R2, ...) through the `object_store`
//! crate, content-addressed like the local store (`ab/cd/<sha256>` under a prefix).
//! An upload streams into a multipart upload under a temporary key while it is
//! hashed and counted; S3 has no rename, so the finished object is then copied to
//! its address and the temporary one deleted. A refused or broken upload is
//! aborted and leaves nothing behind.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures::{StreamExt, TryStreamExt};
use object_store::aws::AmazonS3Builder;
use object_store::path::Path;
use object_store::{GetOptions, GetRange, ObjectStore, WriteMultipart};
use sha2::{Digest, Sha256};
use tenantry_application::ports::{ByteStream, FileStore, FileStoreError, PutBlob};

/// Where an S3-compatible store is and how to sign in to it.
#[derive(Debug, Clone)]
pub struct S3Settings {
    pub bucket: String,
    pub region: String,
    /// `None` for AWS itself; `http://127.0.0.1:9000` for MinIO and friends.
    pub endpoint: Option<String>,
    pub access_key_id: String,
    pub secret_access_key: String,
    /// Key prefix inside the bucket (`tenantry/files`), so the bucket can be shared.
    pub prefix: String,
}

/// Blobs in one bucket.
#[derive(Clone)]
pub struct S3FileStore {
    store: Arc<dyn ObjectStore>,
    prefix: String,
}

impl std::fmt::Debug for S3FileStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3FileStore").field("prefix", &self.prefix).finish_non_exhaustive()
    }
}

fn storage(error: object_store::Error) -> FileStoreError {
    FileStoreError::Storage(Box::new(error))
}

impl S3FileStore {
    /// # Errors
    /// Settings the client refuses (a malformed endpoint).
    pub fn new(settings: &S3Settings) -> Result<Self, FileStoreError> {
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(&settings.bucket)
            .with_region(&settings.region)
            .with_access_key_id(&settings.access_key_id)
            .with_secret_access_key(&settings.secret_access_key);
        if let Some(endpoint) = &settings.endpoint {
            builder = builder
                .with_endpoint(endpoint)
                .with_allow_http(endpoint.starts_with("http://"))
                .with_virtual_hosted_style_request(false);
        }
        let store = builder.build().map_err(storage)?;
        Ok(Self { store: Arc::new(store), prefix: settings.prefix.trim_matches('/').to_owned() })
    }

    fn key(&self, tail: &str) -> Path {
        if self.prefix.is_empty() {
            Path::from(tail)
        } else {
            Path::from(format!("{}/{tail}", self.prefix))
        }
    }

    fn path_of(&self, sha256: &str) -> Option<Path> {
        // Only ever a hex digest becomes a key.
        let valid = sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase());
        valid.then(|| self.key(&format!("{}/{}/{sha256}", &sha256[..2], &sha256[2..4])))
    }

    /// Streams `content` into a multipart upload at `temp`, hashing and counting.
    async fn upload(
        &self,
        temp: &Path,
        mut content: ByteStream,
        max_bytes: u64,
    ) -> Result<(String, u64), FileStoreError> {
        let upload = self.store.put_multipart(temp).await.map_err(storage)?;
        let mut writer = WriteMultipart::new(upload);
        let mut digest = Sha256::new();
        let mut size = 0u64;
        while let Some(chunk) = content.next().await {
            let chunk = match chunk {
                Ok(chunk) => chunk,
                Err(error) => {
                    let _ = writer.abort().await;
                    return Err(FileStoreError::Source(error));
                }
            };
            size += chunk.len() as u64;
            if size > max_bytes {
                let _ = writer.abort().await;
                return Err(FileStoreError::TooLarge { max_bytes });
            }
            digest.update(&chunk);
            // Bounded memory: at most two parts in flight.
            if let Err(error) = writer.wait_for_capacity(2).await {
                return Err(storage(error));
            }
            writer.write(&chunk);
        }
        writer.finish().await.map_err(storage)?;
        Ok((hex::encode(digest.finalize()), size))
    }
}

#[async_trait]
impl FileStore for S3FileStore {
    async fn put(&self, content: ByteStream, max_bytes: u64) -> Result<PutBlob, FileStoreError> {
        let temp = self.key(&format!("incoming/{}", uuid::Uuid::now_v7().simple()));
        let (sha256, size) = self.upload(&temp, content, max_bytes).await?;
        let target = self.path_of(&sha256).ok_or_else(|| FileStoreError::Missing(sha256.clone()))?;
        // Copied over an existing copy of the same bytes too: its last-modified time
        // then says "just put" (see `delete_unless_put_since`).
        let copied = self.store.copy(&temp, &target).await.map_err(storage);
        let removed = self.store.delete(&temp).await.map_err(storage);
        copied?;
        removed?;
        Ok(PutBlob { sha256, size })
    }

    async fn get(&self, sha256: &str, range: Option<(u64, u64)>) -> Result<ByteStream, FileStoreError> {
        let path = self.path_of(sha256).ok_or_else(|| FileStoreError::Missing(sha256.to_owned()))?;
        let options =
            GetOptions { range: range.map(|(start, end)| GetRange::Bounded(start..end + 1)), ..Default::default() };
        match self.store.get_opts(&path, options).await {
            Ok(result) => Ok(result.into_stream().map_err(std::io::Error::other).boxed()),
            Err(object_store::Error::NotFound { .. }) => Err(FileStoreError::Missing(sha256.to_owned())),
            Err(error) => Err(storage(error)),
        }
    }

    /// Completed temporaries only: a multipart upload that never completed is not an
    /// object; the bucket's lifecycle rule aborts those (ADR 0008).
    async fn sweep_incoming(&self, before: DateTime<Utc>) -> Result<usize, FileStoreError> {
        let incoming = self.key("incoming");
        let mut listing = self.store.list(Some(&incoming));
        let mut removed = 0;
        while let Some(meta) = listing.next().await {
            let meta = meta.map_err(storage)?;
            if meta.last_modified < before {
                match self.store.delete(&meta.location).await {
                    Ok(()) => removed += 1,
                    Err(object_store::Error::NotFound { .. }) => {}
                    Err(error) => return Err(storage(error)),
                }
            }
        }
        Ok(removed)
    }

    async fn delete_unless_put_since(&self, sha256: &str, since: DateTime<Utc>) -> Result<bool, FileStoreError> {
        let Some(path) = self.path_of(sha256) else { return Ok(false) };
        let meta = match self.store.head(&path).await {
            Ok(meta) => meta,
            Err(object_store::Error::NotFound { .. }) => return Ok(false),
            Err(error) => return Err(storage(error)),
        };
        if meta.last_modified >= since {
            return Ok(false);
        }
        match self.store.delete(&path).await {
            Ok(()) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(error) => Err(storage(error)),
        }
    }
}
