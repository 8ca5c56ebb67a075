//! Blob stores behind the `FileStore` port.

mod local;
mod s3;

pub use local::LocalFileStore;
pub use s3::{S3FileStore, S3Settings};
