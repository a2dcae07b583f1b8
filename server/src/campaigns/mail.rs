//! Announcing campaigns by email, from a durable outbox. A launch writes one `pending` mail per
//! treated member with an email address; this module sends what is due through `SMTP_URL`.
//!
//! Sending once: a sender first claims a mail by compare-and-set on its `attempts` (`pending` →
//! `sending`, attempts + 1, the claim valid 10 minutes), so two replicas never send the same
//! mail at once; after the server accepts it, the mail becomes `sent`. Only a process that dies
//! between the server's acceptance and that record leaves a claim to expire and the mail to be
//! sent again — with the same `Message-ID`, so mail systems can tell. A refusal or an
//! unreachable server puts the mail back with a back-off (1, 2, 4 … minutes, at most 6 hours);
//! after [`MAX_ATTEMPTS`] it is `failed`. Consent is read again just before sending: a shopper
//! who withdrew it, or was erased, is `skipped`.

use std::sync::Arc;

use app::model::campaigns::MailStatus;
use lettre::message::{header::ContentType, Mailbox, Message};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use serde_json::json;

use crate::clock::{now_rfc3339, rfc3339_in_secs};
use crate::config::Mail;
use crate::store::model::{CardStatus, Cardholder, OutboxMail};
use crate::store::{to_doc, Store, StoreExt, StoreResult, Table};

/// Attempts before a mail is given up.
pub const MAX_ATTEMPTS: i64 = 8;
/// How long a claim lasts before another sender may take the mail.
const CLAIM_SECS: i64 = 600;
/// How often the outbox is looked at.
pub const EVERY: std::time::Duration = std::time::Duration::from_secs(30);

/// The back-off after `attempts` failed attempts, in seconds.
pub fn backoff_secs(attempts: i64) -> i64 {
    (60i64 << attempts.clamp(1, 20).saturating_sub(1)).min(6 * 3600)
}

/// What one pass did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pass {
    pub sent: u64,
    pub retried: u64,
    pub failed: u64,
    pub skipped: u64,
}

/// The outbox and its sender.
pub struct Outbox {
    store: Arc<dyn Store>,
    from: Option<Mailbox>,
    transport: Option<AsyncSmtpTransport<Tokio1Executor>>,
}

impl Outbox {
    /// An outbox over `store` sending through `mail` (none: mails wait). A URL or sender the
    /// mail library cannot read is an error naming the variable.
    pub fn new(store: Arc<dyn Store>, mail: Option<&Mail>) -> Result<Self, String> {
        let (from, transport) = match mail {
            None => (None, None),
            Some(m) => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&m.url)
                    .map_err(|e| format!("SMTP_URL: {e}"))?
                    .timeout(Some(std::time::Duration::from_secs(20)))
                    .build();
                let from: Mailbox = m.from.parse().map_err(|e| format!("SMTP_FROM: {e}"))?;
                (Some(from), Some(transport))
            }
        };
        Ok(Outbox { store, from, transport })
    }

    /// True when a mail server is configured.
    pub fn configured(&self) -> bool {
        self.transport.is_some()
    }

    /// Sends the mails due now (see the module's rules).
    pub async fn send_due(&self) -> StoreResult<Pass> {
        let mut pass = Pass::default();
        let (Some(transport), Some(from)) = (&self.transport, &self.from) else { return Ok(pass) };
        for status in ["pending", "sending"] {
            let now = now_rfc3339();
            for mail in self.store.find_every::<OutboxMail>("status", json!(status)).await? {
                if mail.next_attempt_at <= now {
                    self.send_one(transport, from, mail, &mut pass).await?;
                }
            }
        }
        Ok(pass)
    }

    async fn send_one(
        &self,
        transport: &AsyncSmtpTransport<Tokio1Executor>,
        from: &Mailbox,
        mail: OutboxMail,
        pass: &mut Pass,
    ) -> StoreResult<()> {
        let claimed = OutboxMail {
            status: "sending".into(),
            attempts: mail.attempts + 1,
            next_attempt_at: rfc3339_in_secs(CLAIM_SECS),
            ..mail.clone()
        };
        if !self.store.replace_if(Table::Outbox, to_doc(&claimed)?, "attempts", &json!(mail.attempts)).await? {
            return Ok(()); // another sender has it
        }
        let settle = |m: OutboxMail| async move {
            let attempts = m.attempts;
            self.store.replace_if(Table::Outbox, to_doc(&m)?, "attempts", &json!(attempts)).await
        };
        let holder: Option<Cardholder> = self.store.get_one(&mail.card_number).await?;
        if !holder.is_some_and(|h| h.marketing_consent && h.status != CardStatus::Anonymised) {
            settle(OutboxMail { status: "skipped".into(), ..claimed }).await?;
            pass.skipped += 1;
            return Ok(());
        }
        let message = match build(from, &claimed) {
            Ok(m) => m,
            Err(e) => {
                settle(OutboxMail { status: "failed".into(), last_error: Some(e), ..claimed }).await?;
                pass.failed += 1;
                return Ok(());
            }
        };
        match transport.send(message).await {
            Ok(_) => {
                settle(OutboxMail { status: "sent".into(), sent_at: Some(now_rfc3339()), last_error: None, ..claimed })
                    .await?;
                pass.sent += 1;
            }
            Err(e) => {
                let gave_up = claimed.attempts >= MAX_ATTEMPTS || e.is_permanent();
                let next = rfc3339_in_secs(backoff_secs(claimed.attempts));
                tracing::warn!(mail = %claimed.id, attempts = claimed.attempts, error = %e, "campaign mail not sent");
                let status = if gave_up { "failed" } else { "pending" };
                settle(OutboxMail {
                    status: status.into(),
                    next_attempt_at: next,
                    last_error: Some(e.to_string()),
                    ..claimed
                })
                .await?;
                if gave_up {
                    pass.failed += 1;
                } else {
                    pass.retried += 1;
                }
            }
        }
        Ok(())
    }

    /// The mails of a campaign by status.
    pub async fn status(&self, campaign: &str) -> StoreResult<MailStatus> {
        let mut s = MailStatus { configured: self.configured(), ..Default::default() };
        for mail in self.store.find_every::<OutboxMail>("campaign_id", json!(campaign)).await? {
            match mail.status.as_str() {
                "sent" => s.sent += 1,
                "failed" => s.failed += 1,
                "skipped" => s.skipped += 1,
                _ => s.waiting += 1,
            }
        }
        Ok(s)
    }

    /// Sends what is due every [`EVERY`], for ever (a task of the server).
    pub fn spawn(self: Arc<Self>) {
        if !self.configured() {
            tracing::info!("SMTP_URL is not set: campaign mails wait in the outbox");
            return;
        }
        tokio::spawn(async move {
            loop {
                match self.send_due().await {
                    Ok(p) if p != Pass::default() => tracing::info!(?p, "campaign mails"),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "campaign mails not sent; retried shortly"),
                }
                tokio::time::sleep(EVERY).await;
            }
        });
    }
}

/// The message of an outbox mail.
fn build(from: &Mailbox, mail: &OutboxMail) -> Result<Message, String> {
    let to: Mailbox = mail.to_address.parse().map_err(|e| format!("to_address: {e}"))?;
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(mail.subject.clone())
        .message_id(Some(format!("<{}@imagross.invalid>", mail.id.replace(':', "."))))
        .header(ContentType::TEXT_PLAIN)
        .body(mail.body.clone())
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_six_hours() {
        assert_eq!(backoff_secs(1), 60);
        assert_eq!(backoff_secs(2), 120);
        assert_eq!(backoff_secs(4), 480);
        assert_eq!(backoff_secs(12), 6 * 3600);
    }
}
