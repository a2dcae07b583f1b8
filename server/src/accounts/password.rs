//! Password hashing: argon2id with memory 19 MiB, 2 iterations, parallelism 1 (the OWASP
//! baseline), always on a blocking thread so the async workers never stall.

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};

fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password to a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`).
pub async fn hash(password: String) -> Result<String, String> {
    tokio::task::spawn_blocking(move || {
        hasher().hash_password(password.as_bytes()).map(|h| h.to_string()).map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| e.to_string())?
}

/// True when `password` matches the PHC string `phc`.
pub async fn verify(password: String, phc: String) -> bool {
    tokio::task::spawn_blocking(move || hasher().verify_password(password.as_bytes(), phc.as_str()).is_ok())
        .await
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_carry_the_parameters() {
        let phc = hash("una password lunga".into()).await.unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify("una password lunga".into(), phc.clone()).await);
        assert!(!verify("una password lungA".into(), phc.clone()).await);
        assert!(!verify("x".into(), "not a hash".into()).await);
        let again = hash("una password lunga".into()).await.unwrap();
        assert_ne!(phc, again, "salts differ");
    }
}
