-- The fewest statements that answer GET /api/v1/projects/{id}/tasks?status=todo&
-- sort_by=created_at&order=desc&size=20: the session check, then one indexed page
-- query carrying its own total (count(*) over ()). A page past the last row has no
-- total this way; the design must answer that case too, at the cost of a count. The
-- first statement only picks a random organization's hot project and a live session.
\set n random(1, :organizations)
SELECT h.tenant_id AS tenant, h.project_id AS project, s.id AS session FROM bench.hot_projects h JOIN identity.sessions s ON s.user_id = h.owner_id WHERE h.n = :n LIMIT 1 \gset
SELECT user_id, expires_at, revoked_at FROM sessions WHERE id = :session;
SELECT t.id, t.tenant_id, t.project_id, t.title, t.description, t.status, t.assignee_id, t.due_date, t.estimate_minutes, t.created_by, t.created_at, t.updated_at, t.version, count(*) OVER () AS total FROM tasks t WHERE t.tenant_id = :tenant AND t.project_id = :project AND t.status = 'todo' ORDER BY t.created_at DESC, t.id DESC LIMIT 20;
