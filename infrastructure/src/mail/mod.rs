//! Mail adapters. The embedded default writes each message as an `.eml` file (RFC
//! 5322, readable by any mail client) and logs that it did; SMTP arrives with the
//! notifications work.

use std::path::PathBuf;

use async_trait::async_trait;
use tenantry_application::ports::{MailError, MailMessage, Mailer};

/// Writes messages to `{dir}/{timestamp}-{id}.eml`.
#[derive(Debug, Clone)]
pub struct FileMailer {
    dir: PathBuf,
    from: String,
}

impl FileMailer {
    pub fn new(dir: impl Into<PathBuf>, from: impl Into<String>) -> Self {
        Self { dir: dir.into(), from: from.into() }
    }

    pub fn dir(&self) -> &PathBuf {
        &self.dir
    }
}

/// Header values must not carry line breaks (header injection).
fn header_value(text: &str) -> String {
    text.chars().map(|c| if c == '\r' || c == '\n' { ' ' } else { c }).collect()
}

#[async_trait]
impl Mailer for FileMailer {
    async fn send(&self, message: &MailMessage) -> Result<(), MailError> {
        let id = uuid::Uuid::now_v7();
        let now = chrono::Utc::now();
        let contents = format!(
            "From: {}\r\nTo: {}\r\nSubject: {}\r\nDate: {}\r\nMessage-ID: <{id}@tenantry.local>\r\nMIME-Version: 1.0\r\n\
             Content-Type: text/plain; charset=utf-8\r\n\r\n{}",
            header_value(&self.from),
            message.to.as_str(),
            header_value(&message.subject),
            now.to_rfc2822(),
            message.text_body.replace('\n', "\r\n"),
        );
        let path = self.dir.join(format!("{}-{id}.eml", now.format("%Y%m%dT%H%M%S%.6fZ")));
        let dir = self.dir.clone();
        let written = path.clone();
        tokio::task::spawn_blocking(move || {
            std::fs::create_dir_all(&dir)?;
            // Write then rename, so a reader never sees half a message.
            let partial = written.with_extension("eml.partial");
            std::fs::write(&partial, contents)?;
            std::fs::rename(&partial, &written)
        })
        .await
        .map_err(|e| MailError(e.to_string()))?
        .map_err(|e| MailError(format!("writing {}: {e}", path.display())))?;
        // The body may hold a secret (an invitation token): log the envelope only.
        tracing::info!(to = %message.to, subject = %message.subject, file = %path.display(), "mail written");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tenantry_kernel::EmailAddress;

    #[tokio::test]
    async fn writes_one_eml_file_per_message_without_header_injection() {
        let dir = std::env::temp_dir().join(format!("tenantry-mail-{}", uuid::Uuid::now_v7().simple()));
        let mailer = FileMailer::new(&dir, "Tenantry <no-reply@tenantry.local>");
        let message = MailMessage {
            to: EmailAddress::parse("bob@example.com").unwrap(),
            subject: "Hello\r\nBcc: evil@example.com".into(),
            text_body: "line one\nline two".into(),
        };
        mailer.send(&message).await.unwrap();
        let files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
        assert_eq!(files.len(), 1);
        let text = std::fs::read_to_string(&files[0]).unwrap();
        assert!(text.contains("To: bob@example.com\r\n"));
        assert!(text.contains("Subject: Hello  Bcc: evil@example.com\r\n"), "{text}");
        assert!(!text.contains("\r\nBcc:"));
        assert!(text.ends_with("line one\r\nline two"));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
