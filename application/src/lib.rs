//! Use cases of Tenantry: commands that change state through a unit of work, queries
//! that read views, the pipeline that wraps every command once, and every port trait
//! the adapters implement. Nothing here knows SQL, HTTP or a runtime.

pub mod audit;
pub mod authority;
pub mod consumers;
pub mod error;
pub mod files;
pub mod idempotency;
pub mod identity;
pub mod jobs;
pub mod notifications;
pub mod pipeline;
pub mod platform;
pub mod ports;
pub mod projects;
pub mod queries;
pub mod tenancy;

pub use authority::{Grants, PermissionCatalogue, PermissionSpec};
pub use consumers::EventConsumer;
pub use error::{AppError, ErrorCode};
pub use pipeline::{
    ApiKeyGrant, Authorization, Command, CommandBus, CommandHandler, Credential, Principal, RequestContext, UserSession,
};
pub use platform::{Platform, PlatformPorts};
pub use queries::{QueryPipeline, TenantRead};
