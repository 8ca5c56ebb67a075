//! Log output: JSON lines (with the request span's request_id, user_id and
//! duration) for machines by default, or human-readable lines.

use tracing_subscriber::{fmt, EnvFilter};

use crate::config::LogSettings;

/// Installs the global subscriber; a second call is a no-op.
pub fn init(settings: &LogSettings) {
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(&settings.level))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = if settings.format == "pretty" {
        builder.try_init()
    } else {
        builder.json().flatten_event(true).with_current_span(true).with_span_list(false).try_init()
    };
}
