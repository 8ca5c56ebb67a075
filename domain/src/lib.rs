//! The pure domain model of Tenantry, one module per bounded context. No I/O, no
//! async runtime: invariants live in constructors and methods so that every layer
//! above can only ever hold valid values.

pub mod files;
pub mod identity;
pub mod notifications;
pub mod projects;
pub mod tenancy;
