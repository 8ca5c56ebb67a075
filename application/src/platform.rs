//! What every context's service is built on: the command pipeline, the query
//! pipeline, retries of keyed requests and readiness. It names no context, so a
//! product's module is handed the very pieces Tenantry's own contexts use.

use std::sync::Arc;

use tenantry_kernel::Clock;

use crate::idempotency::Idempotency;
use crate::pipeline::{CommandBus, InTransactionReaction, TenantAuthority};
use crate::ports::{HealthCheck, IdempotencyStore, UnitOfWorkFactory};
use crate::queries::QueryPipeline;
use crate::AppError;

/// The adapters the platform needs; built by the composition root.
pub struct PlatformPorts {
    pub units_of_work: Arc<dyn UnitOfWorkFactory>,
    pub clock: Arc<dyn Clock>,
    /// Decides membership and permissions (the tenancy context's guard).
    pub authority: Arc<dyn TenantAuthority>,
    /// Every module's in-transaction reactions (see [`InTransactionReaction`]).
    pub reactions: Vec<Arc<dyn InTransactionReaction>>,
    pub idempotency: Arc<dyn IdempotencyStore>,
    /// What `GET /health/ready` asks: the database and every module's checks.
    pub health: Arc<dyn HealthCheck>,
}

/// The shared pipelines; one per process, handed to every context's service.
pub struct Platform {
    commands: CommandBus,
    queries: QueryPipeline,
    idempotency: Idempotency,
    authority: Arc<dyn TenantAuthority>,
    units_of_work: Arc<dyn UnitOfWorkFactory>,
    health: Arc<dyn HealthCheck>,
    clock: Arc<dyn Clock>,
}

impl Platform {
    pub fn new(ports: PlatformPorts) -> Self {
        let PlatformPorts { units_of_work, clock, authority, reactions, idempotency, health } = ports;
        Self {
            commands: CommandBus::new(units_of_work.clone(), clock.clone(), authority.clone())
                .with_reactions(reactions),
            queries: QueryPipeline::new(authority.clone()),
            idempotency: Idempotency::new(idempotency, clock.clone()),
            authority,
            units_of_work,
            health,
            clock,
        }
    }

    /// Every command: authorization, one transaction, reactions, the audit entry.
    pub fn commands(&self) -> &CommandBus {
        &self.commands
    }

    /// Every read of tenant data: authorization and a span.
    pub fn queries(&self) -> &QueryPipeline {
        &self.queries
    }

    /// Retries of keyed POST requests (`Idempotency-Key`).
    pub fn idempotency(&self) -> &Idempotency {
        &self.idempotency
    }

    /// Membership and permission decisions outside a request's own check (whether
    /// a link's author still holds a permission, say).
    pub fn authority(&self) -> &Arc<dyn TenantAuthority> {
        &self.authority
    }

    /// Transactions for work outside a command (jobs, purges).
    pub fn units_of_work(&self) -> &Arc<dyn UnitOfWorkFactory> {
        &self.units_of_work
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// # Errors
    /// 503 when a store the application needs does not answer.
    pub async fn readiness(&self) -> Result<(), AppError> {
        self.health.check().await.map_err(AppError::from)
    }
}
