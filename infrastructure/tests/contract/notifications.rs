use tenantry_infrastructure::testing::TestBackend;
use tenantry_kernel::PageRequest;
use tenantry_kernel::UserId;

use super::{now, Fixture};

async fn notifications_are_delivered_once_per_event_and_honour_preferences(backend: TestBackend) {
    use tenantry_domain::notifications::{Notification, NotificationKind};
    use tenantry_kernel::EventId;

    let fx = Fixture::new(backend).await;
    let store = fx.database.notifications();
    let (bob, alice) = (UserId::new(), UserId::new());
    let event = EventId::new();
    let note = |user, kind| Notification::new(kind, user, None, ("task", "t-1".to_owned()), event, now());
    assert_eq!(store.deliver(&[note(bob, NotificationKind::TaskAssigned)]).await.unwrap(), 1);
    assert_eq!(store.deliver(&[note(bob, NotificationKind::TaskAssigned)]).await.unwrap(), 0, "same event, same user");

    store.set_kinds(alice, &[(NotificationKind::TaskAssigned, false)]).await.unwrap();
    assert_eq!(store.disabled_kinds(alice).await.unwrap(), [NotificationKind::TaskAssigned]);
    assert_eq!(store.deliver(&[note(alice, NotificationKind::TaskAssigned)]).await.unwrap(), 0, "turned off");
    assert_eq!(store.deliver(&[note(alice, NotificationKind::CommentOnYourTask)]).await.unwrap(), 1);

    let page = PageRequest::new(None, None).unwrap();
    let listed = store.list(bob, page).await.unwrap();
    assert_eq!(listed.total, 1);
    let id = listed.items[0].id;
    assert!(!store.mark_read(alice, id, now()).await.unwrap(), "not alice's");
    assert!(store.mark_read(bob, id, now()).await.unwrap());
    assert_eq!(store.mark_all_read(bob, now()).await.unwrap(), 0);
    assert!(store.list(bob, page).await.unwrap().items[0].read_at.is_some());
    fx.finish().await;
}

tenantry_infrastructure::backend_test_suite!(notifications_are_delivered_once_per_event_and_honour_preferences);
