-- GET /api/v1/projects/{id}/tasks?status=todo&sort_by=created_at&order=desc&size=20,
-- statement for statement as the server runs it (captured with log_statement = all):
-- the session check of the bearer token, then one read transaction: the project is
-- live, the page, its total. The first statement only picks a random organization's
-- hot project and a live session of its owner (bench/run logged them in); the server
-- knows those from the request.
\set n random(1, :organizations)
SELECT h.tenant_id AS tenant, h.project_id AS project, s.id AS session FROM bench.hot_projects h JOIN identity.sessions s ON s.user_id = h.owner_id WHERE h.n = :n LIMIT 1 \gset
SELECT user_id, expires_at, revoked_at FROM sessions WHERE id = :session;
BEGIN;
SELECT set_config('tenantry.tenant_id', :tenant, true);
SELECT 1 FROM projects WHERE tenant_id = :tenant AND id = :project AND deleted_at IS NULL;
SELECT t.id, t.tenant_id, t.project_id, t.title, t.description, t.status, t.assignee_id, t.due_date, t.estimate_minutes, t.created_by, t.created_at, t.updated_at, t.version FROM tasks t WHERE t.tenant_id = :tenant AND t.project_id = :project AND t.status = 'todo' ORDER BY t.created_at DESC, t.id DESC LIMIT 20 OFFSET 0;
SELECT COUNT(*) FROM tasks t WHERE t.tenant_id = :tenant AND t.project_id = :project AND t.status = 'todo';
ROLLBACK;
