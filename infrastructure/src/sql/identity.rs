/// Identity adapters for one backend: the user and session repositories (on the
/// unit of work) and the read-side queries (on the pool). `$lock` is the row-lock
/// clause the backend supports (` FOR UPDATE` on PostgreSQL; SQLite serialises writers).
macro_rules! identity {
    ($db:ty, $uow:ty, $lock:literal) => {
        use async_trait::async_trait;
        use sqlx::Row;
        use chrono::{DateTime, Utc};
        use tenantry_application::ports::RepositoryError;
        use tenantry_application::identity::ports::{AccountTokenRepository, Credentials, IdentityQueries, LoginThrottleRepository, PreferencesStore, SessionRepository, SessionStatus, SessionView, UserRepository, UserView};
        use tenantry_domain::identity::{
            AccountToken, AccountTokenId, AccountTokenPurpose, DisplayName, EmailAddress, LoginThrottle, PasswordHash,
            Preferences, Session, SessionClient, User,
        };
        use tenantry_kernel::{SessionId, UserId};

        use crate::sql::{corrupt, storage_error};

        type DbRow = <$db as sqlx::Database>::Row;

        const USER_COLUMNS: &str =
            "id, email, display_name, password_hash, is_platform_admin, email_verified_at, created_at, updated_at, version";
        const USER_VIEW_COLUMNS: &str =
            "id, email, display_name, is_platform_admin, email_verified_at, created_at, updated_at";
        const CREDENTIAL_COLUMNS: &str = "id, email, password_hash, email_verified_at";
        const ACCOUNT_TOKEN_COLUMNS: &str = "id, user_id, purpose, token_hash, created_at, expires_at, used_at";
        const SESSION_COLUMNS: &str =
            "id, user_id, refresh_token_hash, created_at, last_seen_at, expires_at, revoked_at, ip, user_agent";

        fn user_from_row(row: &DbRow) -> Result<User, RepositoryError> {
            let email: String = row.try_get("email").map_err(storage_error)?;
            let display_name: String = row.try_get("display_name").map_err(storage_error)?;
            Ok(User::restore(
                UserId::from_uuid(row.try_get("id").map_err(storage_error)?),
                EmailAddress::parse(&email).map_err(corrupt("user email"))?,
                DisplayName::parse(&display_name).map_err(corrupt("user display name"))?,
                PasswordHash::from_phc(row.try_get("password_hash").map_err(storage_error)?),
                row.try_get("is_platform_admin").map_err(storage_error)?,
                row.try_get("email_verified_at").map_err(storage_error)?,
                row.try_get("created_at").map_err(storage_error)?,
                row.try_get("updated_at").map_err(storage_error)?,
                row.try_get("version").map_err(storage_error)?,
            ))
        }

        fn credentials_from_row(row: &DbRow) -> Result<Credentials, RepositoryError> {
            let email: String = row.try_get("email").map_err(storage_error)?;
            let verified_at: Option<DateTime<Utc>> = row.try_get("email_verified_at").map_err(storage_error)?;
            Ok(Credentials {
                user_id: UserId::from_uuid(row.try_get("id").map_err(storage_error)?),
                email: EmailAddress::parse(&email).map_err(corrupt("user email"))?,
                password_hash: PasswordHash::from_phc(row.try_get("password_hash").map_err(storage_error)?),
                email_verified: verified_at.is_some(),
            })
        }

        fn account_token_from_row(row: &DbRow) -> Result<AccountToken, RepositoryError> {
            let purpose: String = row.try_get("purpose").map_err(storage_error)?;
            let purpose = AccountTokenPurpose::parse(&purpose)
                .ok_or_else(|| RepositoryError::Other(format!("unknown account token purpose {purpose:?}").into()))?;
            Ok(AccountToken::restore(
                AccountTokenId::from_uuid(row.try_get("id").map_err(storage_error)?),
                UserId::from_uuid(row.try_get("user_id").map_err(storage_error)?),
                purpose,
                row.try_get("token_hash").map_err(storage_error)?,
                row.try_get("created_at").map_err(storage_error)?,
                row.try_get("expires_at").map_err(storage_error)?,
                row.try_get("used_at").map_err(storage_error)?,
            ))
        }

        fn login_throttle_from_row(row: &DbRow) -> Result<LoginThrottle, RepositoryError> {
            let failures: i32 = row.try_get("failures").map_err(storage_error)?;
            Ok(LoginThrottle::restore(
                row.try_get("login_key").map_err(storage_error)?,
                u32::try_from(failures).unwrap_or(0),
                row.try_get("window_started_at").map_err(storage_error)?,
                row.try_get("locked_until").map_err(storage_error)?,
            ))
        }

        fn session_from_row(row: &DbRow) -> Result<Session, RepositoryError> {
            Ok(Session::restore(
                SessionId::from_uuid(row.try_get("id").map_err(storage_error)?),
                UserId::from_uuid(row.try_get("user_id").map_err(storage_error)?),
                row.try_get("refresh_token_hash").map_err(storage_error)?,
                row.try_get("created_at").map_err(storage_error)?,
                row.try_get("last_seen_at").map_err(storage_error)?,
                row.try_get("expires_at").map_err(storage_error)?,
                row.try_get("revoked_at").map_err(storage_error)?,
                SessionClient {
                    ip: row.try_get("ip").map_err(storage_error)?,
                    user_agent: row.try_get("user_agent").map_err(storage_error)?,
                },
            ))
        }

        #[async_trait]
        impl UserRepository for $uow {
            async fn insert(&mut self, user: &User) -> Result<(), RepositoryError> {
                sqlx::query(
                    "INSERT INTO users (id, email, display_name, password_hash, is_platform_admin, created_at, updated_at, version, \
                     email_verified_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(user.id().as_uuid())
                .bind(user.email().as_str())
                .bind(user.display_name().as_str())
                .bind(user.password_hash().as_phc())
                .bind(user.is_platform_admin())
                .bind(user.created_at())
                .bind(user.updated_at())
                .bind(user.version())
                .bind(user.email_verified_at())
                .execute(&mut *self.tx)
                .await
                .map_err(storage_error)?;
                Ok(())
            }

            async fn update(&mut self, user: &User) -> Result<(), RepositoryError> {
                let result = sqlx::query(
                    "UPDATE users SET email = $2, display_name = $3, password_hash = $4, is_platform_admin = $5, \
                     updated_at = $6, version = $7, email_verified_at = $9 WHERE id = $1 AND version = $8",
                )
                .bind(user.id().as_uuid())
                .bind(user.email().as_str())
                .bind(user.display_name().as_str())
                .bind(user.password_hash().as_phc())
                .bind(user.is_platform_admin())
                .bind(user.updated_at())
                .bind(user.version())
                .bind(user.version() - 1)
                .bind(user.email_verified_at())
                .execute(&mut *self.tx)
                .await
                .map_err(storage_error)?;
                if result.rows_affected() == 1 {
                    Ok(())
                } else {
                    Err(RepositoryError::StaleVersion)
                }
            }

            async fn find_by_id(&mut self, id: UserId) -> Result<Option<User>, RepositoryError> {
                let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
                let row = sqlx::query(&sql).bind(id.as_uuid()).fetch_optional(&mut *self.tx).await.map_err(storage_error)?;
                row.as_ref().map(user_from_row).transpose()
            }

            async fn find_by_email(&mut self, email: &EmailAddress) -> Result<Option<User>, RepositoryError> {
                let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE email = $1");
                let row = sqlx::query(&sql).bind(email.as_str()).fetch_optional(&mut *self.tx).await.map_err(storage_error)?;
                row.as_ref().map(user_from_row).transpose()
            }
        }

        #[async_trait]
        impl SessionRepository for $uow {
            async fn insert(&mut self, session: &Session) -> Result<(), RepositoryError> {
                sqlx::query(
                    "INSERT INTO sessions (id, user_id, refresh_token_hash, created_at, last_seen_at, expires_at, revoked_at, \
                     ip, user_agent) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(session.id().as_uuid())
                .bind(session.user_id().as_uuid())
                .bind(session.refresh_token_hash())
                .bind(session.created_at())
                .bind(session.last_seen_at())
                .bind(session.expires_at())
                .bind(session.revoked_at())
                .bind(session.client().ip.as_deref())
                .bind(session.client().user_agent.as_deref())
                .execute(&mut *self.tx)
                .await
                .map_err(storage_error)?;
                Ok(())
            }

            async fn update(&mut self, session: &Session) -> Result<(), RepositoryError> {
                let result = sqlx::query(
                    "UPDATE sessions SET refresh_token_hash = $2, last_seen_at = $3, expires_at = $4, revoked_at = $5 WHERE id = $1",
                )
                .bind(session.id().as_uuid())
                .bind(session.refresh_token_hash())
                .bind(session.last_seen_at())
                .bind(session.expires_at())
                .bind(session.revoked_at())
                .execute(&mut *self.tx)
                .await
                .map_err(storage_error)?;
                if result.rows_affected() == 1 {
                    Ok(())
                } else {
                    Err(RepositoryError::StaleVersion)
                }
            }

            async fn find_by_id(&mut self, id: SessionId) -> Result<Option<Session>, RepositoryError> {
                let sql = format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE id = $1{}", $lock);
                let row = sqlx::query(&sql).bind(id.as_uuid()).fetch_optional(&mut *self.tx).await.map_err(storage_error)?;
                row.as_ref().map(session_from_row).transpose()
            }

            async fn find_by_refresh_token_hash(&mut self, hash: &str) -> Result<Option<Session>, RepositoryError> {
                let sql = format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE refresh_token_hash = $1{}", $lock);
                let row = sqlx::query(&sql).bind(hash).fetch_optional(&mut *self.tx).await.map_err(storage_error)?;
                row.as_ref().map(session_from_row).transpose()
            }

            async fn unrevoked_of(&mut self, user: UserId) -> Result<Vec<Session>, RepositoryError> {
                let sql = format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE user_id = $1 AND revoked_at IS NULL{}", $lock);
                let rows = sqlx::query(&sql).bind(user.as_uuid()).fetch_all(&mut *self.tx).await.map_err(storage_error)?;
                rows.iter().map(session_from_row).collect()
            }

            async fn retire_refresh_token_hash(&mut self, session: &Session, hash: &str) -> Result<(), RepositoryError> {
                sqlx::query("INSERT INTO retired_refresh_tokens (token_hash, session_id, retired_at) VALUES ($1, $2, $3)")
                    .bind(hash)
                    .bind(session.id().as_uuid())
                    .bind(session.last_seen_at())
                    .execute(&mut *self.tx)
                    .await
                    .map_err(storage_error)?;
                Ok(())
            }

            async fn find_by_retired_refresh_token_hash(&mut self, hash: &str) -> Result<Option<Session>, RepositoryError> {
                let sql = format!(
                    "SELECT s.id, s.user_id, s.refresh_token_hash, s.created_at, s.last_seen_at, s.expires_at, s.revoked_at, \
                     s.ip, s.user_agent \
                     FROM sessions s JOIN retired_refresh_tokens r ON r.session_id = s.id WHERE r.token_hash = $1{}",
                    $lock
                );
                let row = sqlx::query(&sql).bind(hash).fetch_optional(&mut *self.tx).await.map_err(storage_error)?;
                row.as_ref().map(session_from_row).transpose()
            }
        }

        #[async_trait]
        impl AccountTokenRepository for $uow {
            async fn insert(&mut self, token: &AccountToken) -> Result<(), RepositoryError> {
                sqlx::query(
                    "INSERT INTO account_tokens (id, user_id, purpose, token_hash, created_at, expires_at, used_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(token.id().as_uuid())
                .bind(token.user_id().as_uuid())
                .bind(token.purpose().as_str())
                .bind(token.token_hash())
                .bind(token.created_at())
                .bind(token.expires_at())
                .bind(token.used_at())
                .execute(&mut *self.tx)
                .await
                .map_err(storage_error)?;
                Ok(())
            }

            async fn update(&mut self, token: &AccountToken) -> Result<(), RepositoryError> {
                sqlx::query("UPDATE account_tokens SET used_at = $2 WHERE id = $1")
                    .bind(token.id().as_uuid())
                    .bind(token.used_at())
                    .execute(&mut *self.tx)
                    .await
                    .map_err(storage_error)?;
                Ok(())
            }

            async fn find_by_hash(
                &mut self,
                purpose: AccountTokenPurpose,
                hash: &str,
            ) -> Result<Option<AccountToken>, RepositoryError> {
                let sql = format!(
                    "SELECT {ACCOUNT_TOKEN_COLUMNS} FROM account_tokens WHERE token_hash = $1 AND purpose = $2{}",
                    $lock
                );
                let row = sqlx::query(&sql)
                    .bind(hash)
                    .bind(purpose.as_str())
                    .fetch_optional(&mut *self.tx)
                    .await
                    .map_err(storage_error)?;
                row.as_ref().map(account_token_from_row).transpose()
            }

            async fn void_unused(
                &mut self,
                user: UserId,
                purpose: AccountTokenPurpose,
                now: DateTime<Utc>,
            ) -> Result<(), RepositoryError> {
                sqlx::query(
                    "UPDATE account_tokens SET used_at = $3 WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL",
                )
                .bind(user.as_uuid())
                .bind(purpose.as_str())
                .bind(now)
                .execute(&mut *self.tx)
                .await
                .map_err(storage_error)?;
                Ok(())
            }
        }

        #[async_trait]
        impl LoginThrottleRepository for $uow {
            async fn load_for_update(
                &mut self,
                login_key: &str,
                now: DateTime<Utc>,
            ) -> Result<LoginThrottle, RepositoryError> {
                sqlx::query(
                    "INSERT INTO login_throttles (login_key, failures, window_started_at, locked_until) \
                     VALUES ($1, 0, $2, NULL) ON CONFLICT (login_key) DO NOTHING",
                )
                .bind(login_key)
                .bind(now)
                .execute(&mut *self.tx)
                .await
                .map_err(storage_error)?;
                let sql = format!(
                    "SELECT login_key, failures, window_started_at, locked_until FROM login_throttles WHERE login_key = $1{}",
                    $lock
                );
                let row = sqlx::query(&sql).bind(login_key).fetch_one(&mut *self.tx).await.map_err(storage_error)?;
                login_throttle_from_row(&row)
            }

            async fn save(&mut self, throttle: &LoginThrottle) -> Result<(), RepositoryError> {
                sqlx::query(
                    "UPDATE login_throttles SET failures = $2, window_started_at = $3, locked_until = $4 WHERE login_key = $1",
                )
                .bind(throttle.login_key())
                .bind(i32::try_from(throttle.failures()).unwrap_or(i32::MAX))
                .bind(throttle.window_started_at())
                .bind(throttle.locked_until())
                .execute(&mut *self.tx)
                .await
                .map_err(storage_error)?;
                Ok(())
            }

            async fn clear(&mut self, login_key: &str) -> Result<(), RepositoryError> {
                sqlx::query("DELETE FROM login_throttles WHERE login_key = $1")
                    .bind(login_key)
                    .execute(&mut *self.tx)
                    .await
                    .map_err(storage_error)?;
                Ok(())
            }
        }

        #[async_trait]
        impl PreferencesStore for $uow {
            async fn get(&mut self, user: UserId) -> Result<Option<Preferences>, RepositoryError> {
                let sql = format!("SELECT document FROM user_preferences WHERE user_id = $1{}", $lock);
                let row = sqlx::query(&sql).bind(user.as_uuid()).fetch_optional(&mut *self.tx).await.map_err(storage_error)?;
                row.map(|row| {
                    let document: sqlx::types::Json<serde_json::Value> = row.try_get("document").map_err(storage_error)?;
                    Preferences::parse(document.0).map_err(corrupt("preferences"))
                })
                .transpose()
            }

            async fn put(
                &mut self,
                user: UserId,
                preferences: &Preferences,
                now: DateTime<Utc>,
            ) -> Result<(), RepositoryError> {
                sqlx::query(
                    "INSERT INTO user_preferences (user_id, document, updated_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (user_id) DO UPDATE SET document = excluded.document, updated_at = excluded.updated_at",
                )
                .bind(user.as_uuid())
                .bind(sqlx::types::Json(preferences.as_value()))
                .bind(now)
                .execute(&mut *self.tx)
                .await
                .map_err(storage_error)?;
                Ok(())
            }
        }

        /// Identity read side, straight from the pool.
        #[derive(Clone)]
        pub struct SqlIdentityQueries {
            pool: sqlx::Pool<$db>,
        }

        impl SqlIdentityQueries {
            pub fn new(pool: sqlx::Pool<$db>) -> Self {
                Self { pool }
            }
        }

        fn user_view_from_row(row: &DbRow) -> Result<UserView, RepositoryError> {
            Ok(UserView {
                id: UserId::from_uuid(row.try_get("id").map_err(storage_error)?),
                email: row.try_get("email").map_err(storage_error)?,
                display_name: row.try_get("display_name").map_err(storage_error)?,
                is_platform_admin: row.try_get("is_platform_admin").map_err(storage_error)?,
                email_verified: row
                    .try_get::<Option<DateTime<Utc>>, _>("email_verified_at")
                    .map_err(storage_error)?
                    .is_some(),
                created_at: row.try_get("created_at").map_err(storage_error)?,
                updated_at: row.try_get("updated_at").map_err(storage_error)?,
            })
        }

        #[async_trait]
        impl IdentityQueries for SqlIdentityQueries {
            async fn credentials_by_email(&self, email: &EmailAddress) -> Result<Option<Credentials>, RepositoryError> {
                let sql = format!("SELECT {CREDENTIAL_COLUMNS} FROM users WHERE email = $1");
                let row = sqlx::query(&sql).bind(email.as_str()).fetch_optional(&self.pool).await.map_err(storage_error)?;
                row.as_ref().map(credentials_from_row).transpose()
            }

            async fn credentials_by_id(&self, id: UserId) -> Result<Option<Credentials>, RepositoryError> {
                let sql = format!("SELECT {CREDENTIAL_COLUMNS} FROM users WHERE id = $1");
                let row = sqlx::query(&sql).bind(id.as_uuid()).fetch_optional(&self.pool).await.map_err(storage_error)?;
                row.as_ref().map(credentials_from_row).transpose()
            }

            async fn live_sessions(
                &self,
                user: UserId,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<Vec<SessionView>, RepositoryError> {
                // Expiry is compared in Rust: SQLite stores timestamps as text.
                let sql = format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE user_id = $1 AND revoked_at IS NULL");
                let rows = sqlx::query(&sql).bind(user.as_uuid()).fetch_all(&self.pool).await.map_err(storage_error)?;
                let mut sessions: Vec<SessionView> = rows
                    .iter()
                    .map(session_from_row)
                    .collect::<Result<Vec<_>, _>>()?
                    .into_iter()
                    .filter(|s| s.expires_at() > now)
                    .map(|s| SessionView {
                        id: s.id(),
                        created_at: s.created_at(),
                        last_seen_at: s.last_seen_at(),
                        ip: s.client().ip.clone(),
                        user_agent: s.client().user_agent.clone(),
                    })
                    .collect();
                sessions.sort_by(|a, b| b.created_at.cmp(&a.created_at));
                Ok(sessions)
            }

            async fn preferences_of(&self, user: UserId) -> Result<serde_json::Value, RepositoryError> {
                let row = sqlx::query("SELECT document FROM user_preferences WHERE user_id = $1")
                    .bind(user.as_uuid())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(storage_error)?;
                match row {
                    Some(row) => {
                        let document: sqlx::types::Json<serde_json::Value> =
                            row.try_get("document").map_err(storage_error)?;
                        Ok(document.0)
                    }
                    None => Ok(serde_json::Value::Object(serde_json::Map::new())),
                }
            }

            async fn users_by_ids(&self, ids: &[UserId]) -> Result<Vec<UserView>, RepositoryError> {
                if ids.is_empty() {
                    return Ok(Vec::new());
                }
                let mut query = sqlx::QueryBuilder::<$db>::new(
                    &format!("SELECT {USER_VIEW_COLUMNS} FROM users WHERE id IN ("),
                );
                let mut separated = query.separated(", ");
                for id in ids {
                    separated.push_bind(id.as_uuid());
                }
                separated.push_unseparated(")");
                let rows = query.build().fetch_all(&self.pool).await.map_err(storage_error)?;
                rows.iter().map(user_view_from_row).collect()
            }

            async fn user_by_id(&self, id: UserId) -> Result<Option<UserView>, RepositoryError> {
                let sql = format!("SELECT {USER_VIEW_COLUMNS} FROM users WHERE id = $1");
                let row = sqlx::query(&sql)
                    .bind(id.as_uuid())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(storage_error)?;
                row.as_ref().map(user_view_from_row).transpose()
            }

            async fn session_status(&self, id: SessionId) -> Result<Option<SessionStatus>, RepositoryError> {
                let row = sqlx::query("SELECT user_id, expires_at, revoked_at FROM sessions WHERE id = $1")
                    .bind(id.as_uuid())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(storage_error)?;
                row.map(|row| {
                    let revoked_at: Option<chrono::DateTime<chrono::Utc>> = row.try_get("revoked_at").map_err(storage_error)?;
                    Ok(SessionStatus {
                        user_id: UserId::from_uuid(row.try_get("user_id").map_err(storage_error)?),
                        expires_at: row.try_get("expires_at").map_err(storage_error)?,
                        revoked: revoked_at.is_some(),
                    })
                })
                .transpose()
            }
        }
    };
}

pub(crate) use identity;

impl tenantry_application::identity::ports::IdentityRepositories for crate::SqlRepositories {
    fn users<'u>(
        &self,
        uow: &'u mut dyn tenantry_application::ports::UnitOfWork,
    ) -> Result<
        &'u mut dyn tenantry_application::identity::ports::UserRepository,
        tenantry_application::ports::RepositoryError,
    > {
        crate::extension::sql_repository!(uow)
    }
    fn sessions<'u>(
        &self,
        uow: &'u mut dyn tenantry_application::ports::UnitOfWork,
    ) -> Result<
        &'u mut dyn tenantry_application::identity::ports::SessionRepository,
        tenantry_application::ports::RepositoryError,
    > {
        crate::extension::sql_repository!(uow)
    }
    fn account_tokens<'u>(
        &self,
        uow: &'u mut dyn tenantry_application::ports::UnitOfWork,
    ) -> Result<
        &'u mut dyn tenantry_application::identity::ports::AccountTokenRepository,
        tenantry_application::ports::RepositoryError,
    > {
        crate::extension::sql_repository!(uow)
    }
    fn login_throttles<'u>(
        &self,
        uow: &'u mut dyn tenantry_application::ports::UnitOfWork,
    ) -> Result<
        &'u mut dyn tenantry_application::identity::ports::LoginThrottleRepository,
        tenantry_application::ports::RepositoryError,
    > {
        crate::extension::sql_repository!(uow)
    }
    fn preferences<'u>(
        &self,
        uow: &'u mut dyn tenantry_application::ports::UnitOfWork,
    ) -> Result<
        &'u mut dyn tenantry_application::identity::ports::PreferencesStore,
        tenantry_application::ports::RepositoryError,
    > {
        crate::extension::sql_repository!(uow)
    }
}
