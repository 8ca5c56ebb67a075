//! Blob stores behind the `FileStore` port.

mod local;

pub use local::LocalFileStore;
