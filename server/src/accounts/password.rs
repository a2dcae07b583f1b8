//! Password hashing: argon2id with memory 19 MiB, 2 iterations, parallelism 1 (the OWASP
//! baseline). Hashing is the one thing an anonymous caller can make expensive, so it runs in a
//! bounded number of slots (a semaphore sized to the memory it may take, [`configure`]): a
//! request waits at most a few seconds for a slot, then gets 503 with `Retry-After` instead of
//! queueing without end. Work runs on blocking threads, at most as many as there are slots, so
//! the store's calls on the same pool are never crowded out.

use std::sync::OnceLock;
use std::time::Duration;

use app::error::AppError;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

/// Memory of one hash in KiB.
pub const MEMORY_KIB: u32 = 19 * 1024;

fn hasher() -> Argon2<'static> {
    let params = Params::new(MEMORY_KIB, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashing slots: at most `n` hashes at once, a caller waiting at most `wait` for one.
pub struct Slots {
    semaphore: Semaphore,
    wait: Duration,
}

impl Slots {
    /// `n` slots, waits of at most `wait`.
    pub fn new(n: usize, wait: Duration) -> Self {
        Slots { semaphore: Semaphore::new(n.max(1)), wait }
    }

    /// Runs `work` on a blocking thread in a slot; `Busy` when none frees up in time.
    pub async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T, AppError> {
        let permit = tokio::time::timeout(self.wait, self.semaphore.acquire())
            .await
            .map_err(|_| AppError::Busy { retry_after_secs: self.wait.as_secs().max(1) })?
            .map_err(crate::error::internal)?;
        let result = tokio::task::spawn_blocking(work).await.map_err(crate::error::internal);
        drop(permit);
        result
    }
}

static SLOTS: OnceLock<Slots> = OnceLock::new();

/// Sets the number of hashing slots and the longest wait for one (once, at start; later calls
/// are ignored). Unconfigured: half the cores (1 to 8), 5 s.
pub fn configure(slots: usize, wait: Duration) {
    let _ = SLOTS.set(Slots::new(slots, wait));
}

fn slots() -> &'static Slots {
    SLOTS.get_or_init(|| Slots::new(crate::config::default_hash_slots(), Duration::from_secs(5)))
}

async fn in_slot<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, AppError> {
    slots().run(work).await
}

/// Hashes a password to a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`).
pub async fn hash(password: String) -> Result<String, AppError> {
    in_slot(move || hasher().hash_password(password.as_bytes()).map(|h| h.to_string()))
        .await?
        .map_err(crate::error::internal)
}

/// True when `password` matches the PHC string `phc`. A `phc` that is no hash at all (a closed
/// account's marker) is checked against a real hash anyway, so it takes the same time.
pub async fn verify(password: String, phc: String) -> Result<bool, AppError> {
    in_slot(move || {
        let h = hasher();
        match argon2::PasswordHash::new(&phc) {
            Ok(parsed) => h.verify_password(password.as_bytes(), &parsed).is_ok(),
            Err(_) => {
                let _ = h.verify_password(password.as_bytes(), &timing_hash());
                false
            }
        }
    })
    .await
}

/// The PHC string of a hash with the production parameters, verified against when there is no
/// real one (an unknown identifier, an erased account), so every refusal takes the same time.
/// Made once.
fn timing_phc() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hasher().hash_password(b"timing equaliser").map(|h| h.to_string()).unwrap_or_default())
}

/// The timing hash, parsed.
fn timing_hash() -> argon2::PasswordHash {
    argon2::PasswordHash::new(timing_phc()).expect("the timing hash parses")
}

/// The timing hash's PHC string, to verify against when an account has no real hash.
pub fn timing_hash_string() -> String {
    timing_phc().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_carry_the_parameters() {
        let phc = hash("una password lunga".into()).await.unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify("una password lunga".into(), phc.clone()).await.unwrap());
        assert!(!verify("una password lungA".into(), phc.clone()).await.unwrap());
        assert!(!verify("x".into(), "not a hash".into()).await.unwrap());
        let again = hash("una password lunga".into()).await.unwrap();
        assert_ne!(phc, again, "salts differ");
    }

    #[tokio::test]
    async fn a_caller_waits_for_a_slot_then_hears_busy() {
        let slots = std::sync::Arc::new(Slots::new(1, Duration::from_millis(100)));
        let held = {
            let s = slots.clone();
            tokio::spawn(async move { s.run(|| std::thread::sleep(Duration::from_millis(600))).await })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(slots.run(|| ()).await, Err(AppError::Busy { retry_after_secs: 1 }));
        held.await.unwrap().unwrap();
        assert_eq!(slots.run(|| 7).await, Ok(7), "free again");
    }

    #[tokio::test]
    async fn a_marker_instead_of_a_hash_costs_a_real_verification() {
        let phc = hash("una password lunga".into()).await.unwrap();
        let time = |phc: String| async move {
            let start = std::time::Instant::now();
            for _ in 0..3 {
                let _ = verify("tentativo".into(), phc.clone()).await;
            }
            start.elapsed()
        };
        let (real, marker) = (time(phc).await, time("!erased".into()).await);
        // Both run argon2: the marker takes at least half as long as a real hash.
        assert!(marker * 2 >= real, "real {real:?}, marker {marker:?}");
    }
}
