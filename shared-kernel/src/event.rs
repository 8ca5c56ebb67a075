//! The envelope every domain event travels in: through the outbox, over the event
//! bus and into the audit store. Payloads are JSON so consumers outside Rust can read them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{TenantId, UserId};

crate::typed_id!(
    /// Identity of one event occurrence; consumers deduplicate on it.
    EventId
);

/// A fact a domain aggregate records; its type name is the stable wire name.
pub trait DomainEvent: Serialize {
    /// Stable, dotted name such as `identity.user_registered`.
    fn event_type(&self) -> &'static str;
}

/// A domain event with the metadata needed to route, deduplicate and audit it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventEnvelope {
    pub id: EventId,
    pub event_type: String,
    pub occurred_at: DateTime<Utc>,
    pub tenant_id: Option<TenantId>,
    pub actor_id: Option<UserId>,
    pub payload: serde_json::Value,
}

impl EventEnvelope {
    /// Wraps an event; serialising a plain data event cannot fail, but if a payload
    /// type ever refuses, the error surfaces instead of a silently empty payload.
    pub fn wrap<E: DomainEvent>(
        event: &E,
        occurred_at: DateTime<Utc>,
        tenant_id: Option<TenantId>,
        actor_id: Option<UserId>,
    ) -> Result<Self, serde_json::Error> {
        Ok(Self {
            id: EventId::new(),
            event_type: event.event_type().to_owned(),
            occurred_at,
            tenant_id,
            actor_id,
            payload: serde_json::to_value(event)?,
        })
    }

    /// The payload as the consumer's own type: how a module reads another context's
    /// event through a published contract instead of picking at raw JSON.
    ///
    /// # Errors
    /// When the payload does not have the shape of `T`.
    pub fn decode<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        T::deserialize(&self.payload)
    }
}
