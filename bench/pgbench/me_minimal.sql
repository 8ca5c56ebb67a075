-- The fewest statements that answer GET /api/v1/users/me: the session by its primary
-- key, the user by theirs. The first statement only picks a random organization's
-- owner and a live session of theirs (bench/run logged them in); the server knows
-- both from the bearer token. Run as the database owner, like every *_minimal script:
-- the figure is the data's ceiling, not the design's.
\set n random(1, :organizations)
SELECT h.owner_id AS owner, s.id AS session FROM bench.hot_projects h JOIN identity.sessions s ON s.user_id = h.owner_id WHERE h.n = :n LIMIT 1 \gset
SELECT user_id, expires_at, revoked_at FROM sessions WHERE id = :session;
SELECT id, email, display_name, is_platform_admin, email_verified_at, created_at, updated_at FROM users WHERE id = :owner;
