-- The fewest statements that answer POST /api/v1/projects/{id}/tasks with an
-- assignee and keep its guarantees: the session check, then one transaction that
-- checks the assignee's project membership and inserts the task, its outbox event
-- and its audit entry (the entry's hash chain sealed elsewhere, off the request
-- path). The first statement only picks a random organization.
\set n random(1, :organizations)
SELECT h.tenant_id AS tenant, h.project_id AS project, h.member_id AS member, h.owner_id AS owner, s.id AS session FROM bench.hot_projects h JOIN identity.sessions s ON s.user_id = h.owner_id WHERE h.n = :n LIMIT 1 \gset
SELECT user_id, expires_at, revoked_at FROM sessions WHERE id = :session;
BEGIN;
INSERT INTO tasks (id, tenant_id, project_id, title, description, status, assignee_id, due_date, estimate_minutes, created_by, created_at, updated_at, version) SELECT gen_random_uuid(), :tenant, :project, 'pgbench task', NULL, 'todo', :member, NULL, 30, :owner, now(), now(), 1 FROM project_members m JOIN projects p ON p.tenant_id = m.tenant_id AND p.id = m.project_id AND p.deleted_at IS NULL WHERE m.tenant_id = :tenant AND m.project_id = :project AND m.user_id = :member RETURNING id AS task \gset
INSERT INTO outbox (id, event_type, occurred_at, tenant_id, actor_id, payload) VALUES (gen_random_uuid(), 'projects.task_created', now(), :tenant, :owner, jsonb_build_object('title', 'pgbench task', 'status', 'todo', 'task_id', :task::text, 'tenant_id', :tenant::text, 'created_by', :owner::text, 'project_id', :project::text, 'estimate_minutes', 30, 'assignee_id', :member::text));
INSERT INTO audit_log (id, occurred_at, tenant_id, actor_id, action, entity_type, entity_id, request_id, ip, occurred_micros) VALUES (gen_random_uuid(), now(), :tenant, :owner, 'projects.create_task', 'task', :task, gen_random_uuid()::text, '127.0.0.1', (extract(epoch FROM clock_timestamp()) * 1000000)::bigint);
COMMIT;
