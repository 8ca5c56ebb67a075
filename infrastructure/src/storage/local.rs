//! The embedded default blob store: a directory (`./data/files`), content-addressed
//! as `ab/cd/<sha256>`. A blob is streamed into a temporary file while it is hashed
//! and counted, then renamed into place, so a reader never sees half a blob and a
//! refused or broken upload leaves nothing behind. Equal contents are stored once.

use std::io::SeekFrom;
use std::path::PathBuf;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures::StreamExt;
use sha2::{Digest, Sha256};
use tenantry_application::ports::{ByteStream, FileStore, FileStoreError, PutBlob};
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

/// Blobs under one directory.
#[derive(Debug, Clone)]
pub struct LocalFileStore {
    root: PathBuf,
}

impl LocalFileStore {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    fn path_of(&self, sha256: &str) -> Option<PathBuf> {
        // Only ever a hex digest reaches the file system.
        let valid = sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase());
        valid.then(|| self.root.join(&sha256[..2]).join(&sha256[2..4]).join(sha256))
    }
}

fn storage(error: std::io::Error) -> FileStoreError {
    FileStoreError::Storage(Box::new(error))
}

/// Removes the temporary file unless the blob was moved into place.
struct TempFile(Option<PathBuf>);

impl Drop for TempFile {
    fn drop(&mut self) {
        if let Some(path) = self.0.take() {
            let _ = std::fs::remove_file(path);
        }
    }
}

async fn write_all(
    file: &mut tokio::fs::File,
    mut content: ByteStream,
    max_bytes: u64,
) -> Result<(String, u64), FileStoreError> {
    let mut digest = Sha256::new();
    let mut size: u64 = 0;
    while let Some(chunk) = content.next().await {
        let chunk = chunk.map_err(FileStoreError::Source)?;
        size += chunk.len() as u64;
        if size > max_bytes {
            return Err(FileStoreError::TooLarge { max_bytes });
        }
        digest.update(&chunk);
        file.write_all(&chunk).await.map_err(storage)?;
    }
    file.sync_all().await.map_err(storage)?;
    Ok((hex::encode(digest.finalize()), size))
}

#[async_trait]
impl FileStore for LocalFileStore {
    async fn put(&self, content: ByteStream, max_bytes: u64) -> Result<PutBlob, FileStoreError> {
        let incoming = self.root.join("incoming");
        tokio::fs::create_dir_all(&incoming).await.map_err(storage)?;
        let temp_path = incoming.join(uuid::Uuid::now_v7().simple().to_string());
        let mut temp = TempFile(Some(temp_path.clone()));
        let mut file = tokio::fs::File::create(&temp_path).await.map_err(storage)?;
        let (sha256, size) = write_all(&mut file, content, max_bytes).await?;
        drop(file);
        let target = self.path_of(&sha256).ok_or_else(|| storage(std::io::Error::other("bad digest")))?;
        // Renamed over an existing copy of the same bytes too: its modification time
        // then says "just put", which keeps a purge from deleting it under an upload
        // whose metadata has not committed yet. Readers of the old inode are unaffected.
        if let Some(parent) = target.parent() {
            tokio::fs::create_dir_all(parent).await.map_err(storage)?;
        }
        tokio::fs::rename(&temp_path, &target).await.map_err(storage)?;
        temp.0 = None;
        Ok(PutBlob { sha256, size })
    }

    async fn delete_unless_put_since(&self, sha256: &str, since: DateTime<Utc>) -> Result<bool, FileStoreError> {
        let Some(path) = self.path_of(sha256) else { return Ok(false) };
        let modified = match tokio::fs::metadata(&path).await {
            Ok(metadata) => metadata.modified().map_err(storage)?,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(false),
            Err(error) => return Err(storage(error)),
        };
        if DateTime::<Utc>::from(modified) >= since {
            return Ok(false);
        }
        match tokio::fs::remove_file(&path).await {
            Ok(()) => Ok(true),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(error) => Err(storage(error)),
        }
    }

    async fn sweep_incoming(&self, before: DateTime<Utc>) -> Result<usize, FileStoreError> {
        let mut entries = match tokio::fs::read_dir(self.root.join("incoming")).await {
            Ok(entries) => entries,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(0),
            Err(error) => return Err(storage(error)),
        };
        let mut removed = 0;
        while let Some(entry) = entries.next_entry().await.map_err(storage)? {
            let metadata = entry.metadata().await.map_err(storage)?;
            let modified = metadata.modified().map_err(storage)?;
            if metadata.is_file() && DateTime::<Utc>::from(modified) < before {
                match tokio::fs::remove_file(entry.path()).await {
                    Ok(()) => removed += 1,
                    // Renamed into place or swept by another process meanwhile.
                    Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
                    Err(error) => return Err(storage(error)),
                }
            }
        }
        Ok(removed)
    }

    async fn get(&self, sha256: &str, range: Option<(u64, u64)>) -> Result<ByteStream, FileStoreError> {
        let path = self.path_of(sha256).ok_or_else(|| FileStoreError::Missing(sha256.to_owned()))?;
        let mut file = match tokio::fs::File::open(&path).await {
            Ok(file) => file,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Err(FileStoreError::Missing(sha256.to_owned()))
            }
            Err(error) => return Err(storage(error)),
        };
        Ok(match range {
            None => tokio_util::io::ReaderStream::new(file).boxed(),
            Some((start, end)) => {
                file.seek(SeekFrom::Start(start)).await.map_err(storage)?;
                tokio_util::io::ReaderStream::new(file.take(end.saturating_sub(start) + 1)).boxed()
            }
        })
    }
}
