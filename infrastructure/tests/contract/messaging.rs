use std::sync::Arc;
use std::time::Duration;
use tenantry_application::identity::ports::IdentityRepositories;
use tenantry_infrastructure::SqlRepositories;

use tenantry_infrastructure::events::{InProcessEventBus, OutboxRelay};
use tenantry_infrastructure::testing::TestBackend;
use tenantry_kernel::EventEnvelope;

use super::{audit_entry, new_user, now, Fixture};

async fn dropping_a_unit_of_work_rolls_everything_back(backend: TestBackend) {
    let fx = Fixture::new(backend).await;
    let (user, registered) = new_user("rollback@example.com");
    let mut uow = fx.units.begin().await.unwrap();
    SqlRepositories.users(uow.as_mut()).unwrap().insert(&user).await.unwrap();
    uow.record_event(EventEnvelope::wrap(&registered, now(), None, None).unwrap());
    uow.record_audit(audit_entry("identity.register_user"));
    drop(uow);

    let mut uow = fx.units.begin().await.unwrap();
    assert!(SqlRepositories.users(uow.as_mut()).unwrap().find_by_email(user.email()).await.unwrap().is_none());
    drop(uow);
    assert_eq!(fx.database.outbox().pending().await.unwrap(), 0);
    fx.finish().await;
}

async fn commit_writes_the_outbox_and_the_relay_delivers_each_event_once(backend: TestBackend) {
    let fx = Fixture::new(backend).await;
    let bus = InProcessEventBus::default();
    let mut received = bus.subscribe();
    let relay = OutboxRelay::new(fx.database.outbox(), Arc::new(bus.clone()), fx.signal.clone()).spawn();

    let (user, registered) = new_user("outbox@example.com");
    let event = EventEnvelope::wrap(&registered, now(), None, Some(user.id())).unwrap();
    let mut uow = fx.units.begin().await.unwrap();
    SqlRepositories.users(uow.as_mut()).unwrap().insert(&user).await.unwrap();
    uow.record_event(event.clone());
    uow.record_audit(audit_entry("identity.register_user"));
    uow.commit().await.unwrap();

    let delivered =
        tokio::time::timeout(Duration::from_secs(5), received.recv()).await.expect("delivered in time").unwrap();
    assert_eq!(delivered, event);
    // Once the row is marked sent nothing can deliver it again: wait for that, then
    // the bus must have carried it exactly once.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while fx.database.outbox().pending().await.unwrap() > 0 {
        assert!(std::time::Instant::now() < deadline, "the relay never marked the event sent");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(bus.published(), 1, "delivered exactly once");
    assert!(received.try_recv().is_err());
    relay.shutdown().await;
    fx.finish().await;
}

tenantry_infrastructure::backend_test_suite!(
    dropping_a_unit_of_work_rolls_everything_back,
    commit_writes_the_outbox_and_the_relay_delivers_each_event_once,
);
