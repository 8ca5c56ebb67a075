//! The small vocabulary every layer and every bounded context shares: typed ids,
//! time, paging, the domain-event envelope and validation error primitives.
//! Anything here must be stable, pure and dependency-light.

pub mod clock;
pub mod email;
pub mod error;
pub mod event;
pub mod id;
pub mod paging;
pub mod revision;
pub mod text;

pub use clock::{Clock, SystemClock};
pub use email::EmailAddress;
pub use error::{FieldViolation, ValidationError};
pub use event::{DomainEvent, EventEnvelope, EventId};
pub use id::{SessionId, TenantId, UserId};
pub use paging::{Page, PageRequest, SortOrder};
pub use revision::Revision;
