//! The blob store contract, on the local adapter (the S3 adapter will join this
//! suite): whole blobs or nothing, content addressing, ranges.

use futures::StreamExt;
use tenantry_application::ports::{ByteStream, FileStore, FileStoreError};
use tenantry_infrastructure::storage::LocalFileStore;

fn chunks(parts: &[&'static [u8]]) -> ByteStream {
    futures::stream::iter(parts.iter().map(|p| Ok(bytes::Bytes::from_static(p))).collect::<Vec<_>>()).boxed()
}

async fn read_all(mut stream: ByteStream) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(chunk) = stream.next().await {
        out.extend_from_slice(&chunk.unwrap());
    }
    out
}

fn temp_root() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("tenantry-blobs-{}", uuid::Uuid::now_v7().simple()))
}

fn files_under(root: &std::path::Path) -> usize {
    fn walk(dir: &std::path::Path, count: &mut usize) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            if entry.path().is_dir() {
                walk(&entry.path(), count);
            } else {
                *count += 1;
            }
        }
    }
    let mut count = 0;
    walk(root, &mut count);
    count
}

#[tokio::test]
async fn a_blob_is_stored_under_its_digest_and_read_back_whole_or_in_ranges() {
    let root = temp_root();
    let store = LocalFileStore::new(&root);
    let put = store.put(chunks(&[b"0123", b"456789"]), 100).await.unwrap();
    assert_eq!(put.size, 10);
    assert_eq!(put.sha256, "84d89877f0d4041efb6bf91a16f0248f2fd573e6af05c19f96bedb9f882f7882");
    assert!(root.join("84").join("d8").join(&put.sha256).is_file(), "content-addressed path");
    assert_eq!(read_all(store.get(&put.sha256, None).await.unwrap()).await, b"0123456789");
    assert_eq!(read_all(store.get(&put.sha256, Some((3, 5))).await.unwrap()).await, b"345");
    assert_eq!(read_all(store.get(&put.sha256, Some((9, 9))).await.unwrap()).await, b"9");

    // The same bytes again: one blob.
    let again = store.put(chunks(&[b"0123456789"]), 100).await.unwrap();
    assert_eq!(again, put);
    assert_eq!(files_under(&root), 1);
    let _ = std::fs::remove_dir_all(root);
}

#[tokio::test]
async fn an_oversized_or_broken_upload_leaves_nothing_behind() {
    let root = temp_root();
    let store = LocalFileStore::new(&root);
    let error = store.put(chunks(&[b"0123456789", b"x"]), 10).await.unwrap_err();
    assert!(matches!(error, FileStoreError::TooLarge { max_bytes: 10 }), "{error:?}");
    let broken: ByteStream = futures::stream::iter(vec![
        Ok(bytes::Bytes::from_static(b"partial")),
        Err(std::io::Error::other("client went away")),
    ])
    .boxed();
    assert!(matches!(store.put(broken, 100).await, Err(FileStoreError::Source(_))));
    assert_eq!(files_under(&root), 0, "no blob and no temporary file remain");
    let _ = std::fs::remove_dir_all(root);
}

#[tokio::test]
async fn unknown_or_malformed_addresses_are_missing_not_paths() {
    let store = LocalFileStore::new(temp_root());
    for address in ["0".repeat(64).as_str(), "../../etc/passwd", "ABCDEF"] {
        assert!(matches!(store.get(address, None).await, Err(FileStoreError::Missing(_))), "{address}");
    }
}

#[tokio::test]
async fn a_blob_is_deleted_only_when_no_upload_put_it_recently() {
    let root = temp_root();
    let store = LocalFileStore::new(&root);
    let put = store.put(chunks(&[b"purge me"]), 100).await.unwrap();
    let now = chrono::Utc::now();
    assert!(!store.delete_unless_put_since(&put.sha256, now - chrono::Duration::hours(1)).await.unwrap());
    assert_eq!(read_all(store.get(&put.sha256, None).await.unwrap()).await, b"purge me", "kept: put within the hour");
    assert!(store.delete_unless_put_since(&put.sha256, now + chrono::Duration::seconds(5)).await.unwrap());
    assert!(matches!(store.get(&put.sha256, None).await, Err(FileStoreError::Missing(_))));
    assert!(!store.delete_unless_put_since(&put.sha256, now).await.unwrap(), "already gone");
    assert!(!store.delete_unless_put_since("../../etc/passwd", now).await.unwrap(), "not an address");
    let _ = std::fs::remove_dir_all(root);
}
