//! The server settings a scenario may change before its server starts.

use anyhow::Context as _;
use tenantry_server::Settings;

use super::TenantryWorld;

/// The settings a scenario may change, by their configuration key.
pub(super) fn apply_settings(settings: &mut Settings, overrides: &[(String, String)]) -> anyhow::Result<()> {
    for (key, value) in overrides {
        let number = || value.parse::<u32>().with_context(|| format!("{key} takes a number, not {value:?}"));
        match key.as_str() {
            "auth.require_verified_email" => {
                settings.auth.require_verified_email =
                    value.parse().with_context(|| format!("{key} takes true or false, not {value:?}"))?;
            }
            "rate_limit.api_per_second" => settings.rate_limit.api_per_second = number()?,
            "rate_limit.api_burst" => settings.rate_limit.api_burst = number()?,
            "rate_limit.credentials_per_minute" => settings.rate_limit.credentials_per_minute = number()?,
            "rate_limit.credentials_burst" => settings.rate_limit.credentials_burst = number()?,
            "files.max_upload_bytes" => {
                settings.files.max_upload_bytes =
                    value.parse().with_context(|| format!("{key} takes a number, not {value:?}"))?;
            }
            "files.allowed_content_types" => {
                settings.files.allowed_content_types = value.split(',').map(|t| t.trim().to_owned()).collect();
            }
            "server.cors_allowed_origins" => {
                settings.server.cors_allowed_origins = value.split(',').map(|o| o.trim().to_owned()).collect();
            }
            "server.public_url" => settings.server.public_url = Some(value.clone()),
            "server.metrics_token" => settings.server.metrics_token = Some(value.clone().into()),
            other => anyhow::bail!("the acceptance kit cannot change the setting {other:?}"),
        }
    }
    Ok(())
}

impl TenantryWorld {
    /// Changes a server setting for this scenario; only before its server starts
    /// (the first request spawns it).
    ///
    /// # Errors
    /// When the server is already running.
    pub fn override_setting(&mut self, key: &str, value: &str) -> anyhow::Result<()> {
        anyhow::ensure!(self.app.is_none(), "server settings must be given before the first request");
        self.setting_overrides.push((key.to_owned(), value.to_owned()));
        Ok(())
    }
}
