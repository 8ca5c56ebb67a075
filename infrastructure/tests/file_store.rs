//! One blob store contract, run on every adapter: the local directory and the S3
//! adapter against a real S3-compatible server (moto in server mode on loopback,
//! started per test). Whole blobs or nothing, content addressing, ranges, and
//! deletion that spares blobs an upload just put. Without moto on the machine the
//! suite installs it into a virtual environment under `target/` (once).

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use futures::StreamExt;
use object_store::ObjectStore;
use tenantry_application::ports::{ByteStream, FileStore, FileStoreError};
use tenantry_infrastructure::storage::{LocalFileStore, S3FileStore, S3Settings};

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

/// An adapter under test, and what it keeps (blobs plus any temporary leftovers).
#[async_trait]
trait Harness: Send + Sync {
    fn store(&self) -> &dyn FileStore;
    /// Every object or file the adapter holds, by key relative to its root.
    async fn keys(&self) -> Vec<String>;
    /// Leaves a temporary behind, as an upload cut off by a crash would.
    async fn leave_partial_upload(&self);
}

struct Local {
    root: std::path::PathBuf,
    store: LocalFileStore,
}

impl Local {
    fn new() -> Self {
        let root = std::env::temp_dir().join(format!("tenantry-blobs-{}", uuid::Uuid::now_v7().simple()));
        Self { store: LocalFileStore::new(&root), root }
    }
}

impl Drop for Local {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

#[async_trait]
impl Harness for Local {
    fn store(&self) -> &dyn FileStore {
        &self.store
    }

    async fn keys(&self) -> Vec<String> {
        fn walk(root: &std::path::Path, dir: &std::path::Path, keys: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                if entry.path().is_dir() {
                    walk(root, &entry.path(), keys);
                } else if let Ok(key) = entry.path().strip_prefix(root) {
                    keys.push(key.to_string_lossy().into_owned());
                }
            }
        }
        let mut keys = Vec::new();
        walk(&self.root, &self.root, &mut keys);
        keys
    }

    async fn leave_partial_upload(&self) {
        std::fs::create_dir_all(self.root.join("incoming")).unwrap();
        std::fs::write(self.root.join("incoming").join("crashed"), b"half a blo").unwrap();
    }
}

/// A Python that can run moto's server: the machine's, or one of a virtual
/// environment this suite made under `target/` (from PyPI, the first time only).
fn moto_python() -> PathBuf {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON
        .get_or_init(|| {
            let has_moto = |python: &std::path::Path| {
                Command::new(python)
                    .args(["-c", "import moto.server, flask"])
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status()
                    .is_ok_and(|status| status.success())
            };
            let system = PathBuf::from("python3");
            if has_moto(&system) {
                return system;
            }
            let venv = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("moto-venv");
            let python = venv.join("bin").join("python");
            if !has_moto(&python) {
                eprintln!("note: installing moto (the S3 test server) into {}", venv.display());
                let made = Command::new("python3").args(["-m", "venv"]).arg(&venv).status();
                assert!(
                    made.is_ok_and(|status| status.success()),
                    "the S3 tests need python3 with venv (Debian: apt-get install python3 python3-venv)"
                );
                let installed =
                    Command::new(&python).args(["-m", "pip", "install", "--quiet", "moto[server]"]).status();
                assert!(installed.is_ok_and(|status| status.success()), "pip could not install moto[server]");
            }
            python
        })
        .clone()
}

/// A moto S3 server on a free loopback port, killed when dropped.
struct Moto {
    child: Child,
    port: u16,
}

impl Moto {
    fn start() -> Self {
        let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
        let child = Command::new(moto_python())
            .args(["-m", "moto.server", "-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("moto's server starts");
        let moto = Self { child, port };
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "moto did not listen on {port} within 30 s");
            std::thread::sleep(Duration::from_millis(100));
        }
        moto
    }

    fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Creates a bucket (moto takes unsigned requests).
    fn create_bucket(&self, bucket: &str) {
        use std::io::{Read, Write};
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("moto");
        let request = format!(
            "PUT /{bucket} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            self.port
        );
        stream.write_all(request.as_bytes()).expect("bucket request");
        let mut answer = String::new();
        stream.read_to_string(&mut answer).expect("bucket answer");
        assert!(answer.starts_with("HTTP/1.1 200"), "creating bucket {bucket}: {answer}");
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct S3 {
    _moto: Moto,
    store: S3FileStore,
    raw: Arc<dyn ObjectStore>,
}

impl S3 {
    fn new() -> Self {
        let moto = Moto::start();
        let bucket = format!("tenantry-{}", uuid::Uuid::now_v7().simple());
        moto.create_bucket(&bucket);
        let settings = S3Settings {
            bucket: bucket.clone(),
            region: "us-east-1".into(),
            endpoint: Some(moto.endpoint()),
            access_key_id: "testing".into(),
            secret_access_key: "testing".into(),
            prefix: "blobs".into(),
        };
        let raw = object_store::aws::AmazonS3Builder::new()
            .with_bucket_name(&bucket)
            .with_region("us-east-1")
            .with_endpoint(moto.endpoint())
            .with_allow_http(true)
            .with_access_key_id("testing")
            .with_secret_access_key("testing")
            .build()
            .expect("a client of the test bucket");
        Self { store: S3FileStore::new(&settings).expect("the S3 adapter"), raw: Arc::new(raw), _moto: moto }
    }
}

#[async_trait]
impl Harness for S3 {
    fn store(&self) -> &dyn FileStore {
        &self.store
    }

    async fn keys(&self) -> Vec<String> {
        let listed: Vec<_> = self.raw.list(None).collect().await;
        listed.into_iter().map(|meta| meta.expect("listing").location.to_string()).collect()
    }

    async fn leave_partial_upload(&self) {
        let path = object_store::path::Path::from("blobs/incoming/crashed");
        self.raw.put(&path, bytes::Bytes::from_static(b"half a blo").into()).await.expect("a temporary");
    }
}

async fn a_blob_is_stored_under_its_digest_and_read_back_whole_or_in_ranges(adapter: &dyn Harness) {
    let store = adapter.store();
    let put = store.put(chunks(&[b"0123", b"456789"]), 100).await.unwrap();
    assert_eq!(put.size, 10);
    assert_eq!(put.sha256, "84d89877f0d4041efb6bf91a16f0248f2fd573e6af05c19f96bedb9f882f7882");
    let keys = adapter.keys().await;
    assert_eq!(keys.len(), 1, "{keys:?}");
    assert!(keys[0].ends_with(&format!("84/d8/{}", put.sha256)), "content-addressed: {keys:?}");
    assert_eq!(read_all(store.get(&put.sha256, None).await.unwrap()).await, b"0123456789");
    assert_eq!(read_all(store.get(&put.sha256, Some((3, 5))).await.unwrap()).await, b"345");
    assert_eq!(read_all(store.get(&put.sha256, Some((9, 9))).await.unwrap()).await, b"9");

    // The same bytes again: one blob.
    let again = store.put(chunks(&[b"0123456789"]), 100).await.unwrap();
    assert_eq!(again, put);
    assert_eq!(adapter.keys().await.len(), 1);

    // An empty file is a blob like any other.
    let empty = store.put(futures::stream::empty().boxed(), 100).await.unwrap();
    let nothing = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    assert_eq!((empty.size, empty.sha256.as_str()), (0, nothing));
    assert_eq!(read_all(store.get(nothing, None).await.unwrap()).await, b"");
}

async fn an_oversized_or_broken_upload_leaves_nothing_behind(adapter: &dyn Harness) {
    let store = adapter.store();
    let error = store.put(chunks(&[b"0123456789", b"x"]), 10).await.unwrap_err();
    assert!(matches!(error, FileStoreError::TooLarge { max_bytes: 10 }), "{error:?}");
    let broken: ByteStream = futures::stream::iter(vec![
        Ok(bytes::Bytes::from_static(b"partial")),
        Err(std::io::Error::other("client went away")),
    ])
    .boxed();
    assert!(matches!(store.put(broken, 100).await, Err(FileStoreError::Source(_))));
    assert_eq!(adapter.keys().await, Vec::<String>::new(), "no blob and no temporary object remain");
}

async fn unknown_or_malformed_addresses_are_missing_not_paths(adapter: &dyn Harness) {
    for address in ["0".repeat(64).as_str(), "../../etc/passwd", "ABCDEF"] {
        assert!(matches!(adapter.store().get(address, None).await, Err(FileStoreError::Missing(_))), "{address}");
    }
}

async fn a_blob_is_deleted_only_when_no_upload_put_it_recently(adapter: &dyn Harness) {
    let store = adapter.store();
    let put = store.put(chunks(&[b"purge me"]), 100).await.unwrap();
    let now = chrono::Utc::now();
    assert!(!store.delete_unless_put_since(&put.sha256, now - chrono::Duration::hours(1)).await.unwrap());
    assert_eq!(read_all(store.get(&put.sha256, None).await.unwrap()).await, b"purge me", "kept: put within the hour");
    assert!(store.delete_unless_put_since(&put.sha256, now + chrono::Duration::seconds(5)).await.unwrap());
    assert!(matches!(store.get(&put.sha256, None).await, Err(FileStoreError::Missing(_))));
    assert!(!store.delete_unless_put_since(&put.sha256, now).await.unwrap(), "already gone");
    assert!(!store.delete_unless_put_since("../../etc/passwd", now).await.unwrap(), "not an address");
}

async fn a_large_upload_streams_through_several_parts(adapter: &dyn Harness) {
    // 12 MiB in 64 KiB chunks: more than two S3 multipart parts of 5 MiB.
    const CHUNK: &[u8] = &[7u8; 64 * 1024];
    let content: ByteStream = futures::stream::iter((0..192).map(|_| Ok(bytes::Bytes::from_static(CHUNK)))).boxed();
    let put = adapter.store().put(content, 16 * 1024 * 1024).await.unwrap();
    assert_eq!(put.size, 12 * 1024 * 1024);
    let tail = read_all(adapter.store().get(&put.sha256, Some((put.size - 3, put.size - 1))).await.unwrap()).await;
    assert_eq!(tail, [7, 7, 7]);
}

async fn the_sweep_removes_stale_temporaries_and_keeps_blobs_and_fresh_ones(adapter: &dyn Harness) {
    let store = adapter.store();
    let kept = store.put(chunks(&[b"a finished blob"]), 100).await.unwrap();
    adapter.leave_partial_upload().await;
    let now = chrono::Utc::now();
    assert_eq!(store.sweep_incoming(now - chrono::Duration::hours(1)).await.unwrap(), 0, "too young to be stale");
    assert_eq!(adapter.keys().await.iter().filter(|k| k.contains("incoming")).count(), 1);
    assert_eq!(store.sweep_incoming(now + chrono::Duration::seconds(5)).await.unwrap(), 1);
    let keys = adapter.keys().await;
    assert!(keys.iter().all(|k| !k.contains("incoming")), "{keys:?}");
    assert_eq!(read_all(store.get(&kept.sha256, None).await.unwrap()).await, b"a finished blob");
    assert_eq!(store.sweep_incoming(now + chrono::Duration::seconds(5)).await.unwrap(), 0, "nothing left");
}

macro_rules! blob_store_contract {
    ($($case:ident),+ $(,)?) => {
        mod local {
            $(
                #[tokio::test]
                async fn $case() {
                    super::$case(&super::Local::new()).await;
                }
            )+
        }
        mod s3 {
            $(
                #[tokio::test]
                async fn $case() {
                    super::$case(&super::S3::new()).await;
                }
            )+
        }
    };
}

blob_store_contract!(
    the_sweep_removes_stale_temporaries_and_keeps_blobs_and_fresh_ones,
    a_blob_is_stored_under_its_digest_and_read_back_whole_or_in_ranges,
    an_oversized_or_broken_upload_leaves_nothing_behind,
    unknown_or_malformed_addresses_are_missing_not_paths,
    a_blob_is_deleted_only_when_no_upload_put_it_recently,
    a_large_upload_streams_through_several_parts,
);
