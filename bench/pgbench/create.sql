-- POST /api/v1/projects/{id}/tasks with an assignee, statement for statement as the
-- server runs it (captured with log_statement = all): the session check, then one
-- transaction with the project row lock, the assignee's membership, the task, two
-- outbox events and the audit entry appended to the tenant's hash chain. The outbox
-- relay and the event consumers (summary, notification) run after the answer and are
-- not part of this script; the hashes the server computes in Rust are computed in SQL
-- here. The first statement only picks a random organization.
\set n random(1, :organizations)
SELECT h.tenant_id AS tenant, h.project_id AS project, h.member_id AS member, h.owner_id AS owner, s.id AS session FROM bench.hot_projects h JOIN identity.sessions s ON s.user_id = h.owner_id WHERE h.n = :n LIMIT 1 \gset
SELECT user_id, expires_at, revoked_at FROM sessions WHERE id = :session;
BEGIN;
SELECT set_config('tenantry.tenant_id', :tenant, true);
SELECT id, tenant_id, name, description, status, budget_amount_minor, budget_currency, owner_id, created_at, updated_at, deleted_at, version FROM projects WHERE tenant_id = :tenant AND id = :project AND deleted_at IS NULL FOR UPDATE;
SELECT role FROM project_members WHERE tenant_id = :tenant AND project_id = :project AND user_id = :member;
INSERT INTO tasks (id, tenant_id, project_id, title, description, status, assignee_id, due_date, estimate_minutes, created_by, created_at, updated_at, version) VALUES (gen_random_uuid(), :tenant, :project, 'pgbench task', NULL, 'todo', :member, NULL, 30, :owner, now(), now(), 1) RETURNING id AS task \gset
INSERT INTO outbox (id, event_type, occurred_at, tenant_id, actor_id, payload) VALUES (gen_random_uuid(), 'projects.task_created', now(), :tenant, :owner, jsonb_build_object('title', 'pgbench task', 'status', 'todo', 'task_id', :task::text, 'tenant_id', :tenant::text, 'created_by', :owner::text, 'project_id', :project::text, 'estimate_minutes', 30));
INSERT INTO outbox (id, event_type, occurred_at, tenant_id, actor_id, payload) VALUES (gen_random_uuid(), 'projects.task_assigned', now(), :tenant, :owner, jsonb_build_object('task_id', :task::text, 'tenant_id', :tenant::text, 'project_id', :project::text, 'assigned_by', :owner::text, 'assignee_id', :member::text));
INSERT INTO audit_chain_heads (chain_key, seq, hash) VALUES (:tenant, 0, '0000000000000000000000000000000000000000000000000000000000000000') ON CONFLICT (chain_key) DO NOTHING;
SELECT seq AS head_seq, hash AS head_hash FROM audit_chain_heads WHERE chain_key = :tenant FOR UPDATE \gset
INSERT INTO audit_log (id, occurred_at, tenant_id, actor_id, action, entity_type, entity_id, request_id, ip, chain_key, seq, occurred_micros, prev_hash, hash) VALUES (gen_random_uuid(), now(), :tenant, :owner, 'projects.create_task', 'task', :task, gen_random_uuid()::text, '127.0.0.1', :tenant, :head_seq::bigint + 1, (extract(epoch FROM clock_timestamp()) * 1000000)::bigint, :head_hash, encode(sha256(convert_to(:head_hash::text || :task::text, 'UTF8')), 'hex'));
UPDATE audit_chain_heads SET seq = seq + 1, hash = encode(sha256(convert_to(:head_hash::text || :task::text, 'UTF8')), 'hex') WHERE chain_key = :tenant;
COMMIT;
