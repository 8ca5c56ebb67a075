//! The audit context's read side (entries are written by the command pipeline).

pub mod ports;
mod service;

pub use service::Audit;
