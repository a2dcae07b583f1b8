//! Leases: work that must run on one replica at a time (the points ledger sync, the expiry
//! pass, the retention pass) is done only by the replica holding the work's lease in the
//! store. A lease is taken or renewed by a compare-and-set on its expiry, so two replicas never
//! both succeed; it expires unless renewed, so a replica that died hands the work over after
//! at most its time to live (one that shuts down gracefully releases it at once); and every
//! taking moves its `token` (fencing): before each write the holder checks ([`Leases::check`])
//! that the store still names it with the same token and an expiry not about to pass, so a
//! replica that lost its lease (paused, partitioned) stops writing instead of racing the new
//! holder. The work is idempotent anyway
//! (entries keyed by what they are), so the short window between a check and a write can
//! only repeat a write, never double it.
//!
//! Expiry is compared as RFC 3339 text with milliseconds (UTC): replicas' clocks are assumed
//! within a second of each other (NTP), far below the time to live.

use std::sync::Arc;
use std::time::Duration;

use crate::store::model::Lease;
use crate::store::{Store, StoreError, StoreExt, StoreResult};

/// Lease on the derived points ledger (sync after a build, expiry pass).
pub const POINTS: &str = "points-ledger";
/// Lease on the hourly housekeeping (import error retention, feed pruning).
pub const HOUSEKEEPING: &str = "housekeeping";

/// The lease every replica renews under its secret's fingerprint: replicas that sign sessions
/// with another `JWT_SECRET` cannot take it while it is renewed, so they refuse to join.
pub const SECRET: &str = "cluster-secret";
/// How long the secret's lease outlives the last replica renewing it.
pub const SECRET_TTL: Duration = Duration::from_secs(120);

/// A fingerprint of the signing secret that reveals nothing of it (a hash of a labelled copy).
pub fn secret_fingerprint(secret: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(b"imagross cluster secret fingerprint\0");
    h.update(secret);
    hex::encode(&h.finalize()[..8])
}

/// The holder name of the secret's lease for `fingerprint` (shared by every replica with it).
pub fn secret_holder(fingerprint: &str) -> String {
    format!("secret {fingerprint}")
}

/// This replica's leases.
pub struct Leases {
    store: Arc<dyn Store>,
    holder: String,
    /// The leases this replica took (released at shutdown).
    taken: std::sync::Mutex<std::collections::BTreeSet<String>>,
}

/// A lease this replica holds, until `until` at the latest.
#[derive(Clone, Debug)]
pub struct Held {
    pub name: String,
    pub token: i64,
    /// True when the lease changed hands (or was new) at this taking: state kept from an
    /// earlier holding may be stale.
    pub taken_over: bool,
}

/// Time kept in hand: a holder stops this long before its lease runs out.
const MARGIN: Duration = Duration::from_secs(2);

/// The time to live as RFC 3339 from now, with milliseconds.
fn expiry_from_now(ttl: Duration) -> String {
    let at = chrono::Utc::now() + chrono::Duration::from_std(ttl).unwrap_or_else(|_| chrono::Duration::hours(1));
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

impl Leases {
    /// Leases for the replica called `holder`.
    pub fn new(store: Arc<dyn Store>, holder: impl Into<String>) -> Self {
        Leases { store, holder: holder.into(), taken: Default::default() }
    }

    /// A name for this process, unique among replicas: the host (the pod's name on
    /// Kubernetes), the process id and a random part.
    pub fn replica_name() -> String {
        let host = std::env::var("HOSTNAME").ok().filter(|h| !h.is_empty()).unwrap_or_else(|| "local".into());
        let random = uuid::Uuid::new_v4().simple().to_string();
        format!("{host}/{}/{}", std::process::id(), &random[..8])
    }

    /// Takes `name` for `ttl`, or renews it when this replica holds it already. `None` when
    /// another replica holds it and its lease has not run out.
    pub async fn hold(&self, name: &str, ttl: Duration) -> StoreResult<Option<Held>> {
        let held = self.try_hold(name, ttl).await;
        if let Ok(h) = &held {
            metrics::gauge!("lease_held", "lease" => name.to_string()).set(if h.is_some() { 1.0 } else { 0.0 });
            if let Ok(mut taken) = self.taken.lock() {
                if h.is_some() {
                    taken.insert(name.to_string());
                } else {
                    taken.remove(name);
                }
            }
        }
        held
    }

    async fn try_hold(&self, name: &str, ttl: Duration) -> StoreResult<Option<Held>> {
        let now = crate::clock::now_rfc3339_millis();
        let fresh = Lease { id: name.into(), holder: self.holder.clone(), token: 1, expires_at: expiry_from_now(ttl) };
        let current = match self.store.get_one::<Lease>(name).await? {
            None => {
                return match self.store.insert_one(&fresh).await {
                    Ok(()) => Ok(Some(self.held(name, 1, true))),
                    Err(StoreError::Duplicate { .. }) => self.held_by_name(name).await,
                    Err(e) => Err(e),
                };
            }
            Some(l) => l,
        };
        let mine = current.holder == self.holder;
        if !mine && current.expires_at > now {
            return Ok(None);
        }
        let taken_over = !mine || current.expires_at <= now;
        let token = if taken_over { current.token + 1 } else { current.token };
        let next = Lease { token, ..fresh };
        let doc = crate::store::to_doc(&next)?;
        let expected = serde_json::Value::String(current.expires_at.clone());
        if self.store.replace_if(crate::store::Table::Leases, doc, "expires_at", &expected).await? {
            return Ok(Some(self.held(name, token, taken_over)));
        }
        self.held_by_name(name).await
    }

    /// After another write came first: replicas sharing a holder name (the secret's lease)
    /// take and renew the same lease, so if it names this holder and runs, it is held.
    async fn held_by_name(&self, name: &str) -> StoreResult<Option<Held>> {
        let now = crate::clock::now_rfc3339_millis();
        Ok(match self.store.get_one::<Lease>(name).await? {
            Some(l) if l.holder == self.holder && l.expires_at > now => Some(self.held(name, l.token, false)),
            _ => None,
        })
    }

    fn held(&self, name: &str, token: i64, taken_over: bool) -> Held {
        Held { name: name.into(), token, taken_over }
    }

    /// The lease's record as stored (holder, token, expiry), if any.
    pub async fn current(&self, name: &str) -> StoreResult<Option<Lease>> {
        self.store.get_one::<Lease>(name).await
    }

    /// Fencing: `Err` unless `held` is still this replica's — the store naming this replica
    /// with the same token, and its expiry (renewed meanwhile or not) at least [`MARGIN`] away.
    /// Called before each write of leased work.
    pub async fn check(&self, held: &Held) -> StoreResult<()> {
        let lost = || StoreError::Backend(format!("lease {} lost: another replica holds it now", held.name));
        let soon = chrono::Utc::now() + chrono::Duration::from_std(MARGIN).unwrap_or_default();
        let soon = soon.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        match self.store.get_one::<Lease>(&held.name).await? {
            Some(l) if l.holder == self.holder && l.token == held.token && l.expires_at > soon => Ok(()),
            _ => Err(lost()),
        }
    }

    /// Gives up every lease this replica holds (a graceful shutdown): another replica takes the
    /// work at its next try instead of after the time to live.
    pub async fn release_all(&self) {
        let names: Vec<String> = self.taken.lock().map(|t| t.iter().cloned().collect()).unwrap_or_default();
        for name in names {
            let Ok(Some(current)) = self.store.get_one::<Lease>(&name).await else { continue };
            if current.holder != self.holder {
                continue;
            }
            let released = Lease { expires_at: crate::clock::now_rfc3339_millis(), ..current.clone() };
            let Ok(doc) = crate::store::to_doc(&released) else { continue };
            let expected = serde_json::Value::String(current.expires_at.clone());
            match self.store.replace_if(crate::store::Table::Leases, doc, "expires_at", &expected).await {
                Ok(true) => tracing::info!(lease = %name, "lease released"),
                Ok(false) => {}
                Err(e) => tracing::warn!(lease = %name, error = %e, "lease not released; it expires by itself"),
            }
        }
    }
}

/// A held lease with the means to check it: handed to leased work, which calls
/// [`Fence::check`] before each of its writes.
pub struct Fence {
    pub leases: Arc<Leases>,
    pub held: Held,
}

impl Fence {
    /// See [`Leases::check`].
    pub async fn check(&self) -> StoreResult<()> {
        self.leases.check(&self.held).await
    }
}
