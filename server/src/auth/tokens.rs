//! Access tokens: JWT signed with HS256 (the algorithm is pinned in validation, so `alg: none`
//! or another algorithm is refused), with `exp`, `iss`, `aud` and `sub` required.

use app::model::account::{Role, SessionUser};
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::config::JwtSecret;

/// Token issuer.
pub const ISSUER: &str = "imagross";
/// Token audience.
pub const AUDIENCE: &str = "imagross-web";
/// Lifetime of an access token.
pub const ACCESS_TTL_SECS: i64 = 15 * 60;

/// The claims of an access token.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub role: Role,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card: Option<String>,
    pub iat: i64,
    /// Issued at, in Unix milliseconds (sessions are ended to the millisecond).
    #[serde(default)]
    pub ims: i64,
    pub exp: i64,
    pub iss: String,
    pub aud: String,
}

/// Signing and verification keys with the pinned validation rules.
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl TokenKeys {
    /// Keys from the configured secret.
    pub fn new(secret: &JwtSecret) -> Result<Self, String> {
        let encoding = EncodingKey::from_secret(secret.bytes()).map_err(|e| e.to_string())?;
        let decoding = DecodingKey::from_secret(secret.bytes()).map_err(|e| e.to_string())?;
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 5;
        Ok(TokenKeys { encoding, decoding, validation })
    }

    /// A signed access token for `user`, valid from `now` (Unix seconds).
    pub fn issue(&self, user: &SessionUser, now: i64) -> Result<String, String> {
        let claims = Claims {
            sub: user.id.clone(),
            role: user.role,
            name: user.first_name.clone(),
            card: user.card_number.clone(),
            iat: now,
            ims: user.issued_at.max(now * 1000),
            exp: now + ACCESS_TTL_SECS,
            iss: ISSUER.to_string(),
            aud: AUDIENCE.to_string(),
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).map_err(|e| e.to_string())
    }

    /// The user of a valid token; `None` for a tampered, expired, foreign or malformed one.
    pub fn verify(&self, token: &str) -> Option<SessionUser> {
        let data = decode::<Claims>(token, &self.decoding, &self.validation).ok()?;
        let c = data.claims;
        Some(SessionUser {
            id: c.sub,
            first_name: c.name,
            role: c.role,
            card_number: c.card,
            issued_at: c.ims.max(c.iat * 1000),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(secret: &str) -> TokenKeys {
        TokenKeys::new(&JwtSecret::from_bytes(secret.as_bytes().to_vec()).unwrap()).unwrap()
    }

    fn user() -> SessionUser {
        SessionUser {
            id: "u1".into(),
            first_name: "Giulia".into(),
            role: Role::Shopper,
            card_number: Some("2700000000015".into()),
            issued_at: 0,
        }
    }

    fn now() -> i64 {
        crate::clock::unix_now()
    }

    fn b64(bytes: &[u8]) -> String {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    }

    #[test]
    fn a_fresh_token_verifies() {
        let k = keys(&"s".repeat(32));
        let at = now();
        let token = k.issue(&user(), at).unwrap();
        assert_eq!(k.verify(&token), Some(SessionUser { issued_at: at * 1000, ..user() }));
    }

    #[test]
    fn expired_tampered_and_foreign_tokens_are_refused() {
        let k = keys(&"s".repeat(32));
        let expired = k.issue(&user(), now() - ACCESS_TTL_SECS - 60).unwrap();
        assert_eq!(k.verify(&expired), None);

        let token = k.issue(&user(), now()).unwrap();
        let mut parts: Vec<String> = token.split('.').map(str::to_string).collect();
        let forged = serde_json::json!({"sub": "u1", "role": "super_admin", "name": "x", "iat": now(), "exp": now() + 600, "iss": ISSUER, "aud": AUDIENCE});
        parts[1] = b64(forged.to_string().as_bytes());
        assert_eq!(k.verify(&parts.join(".")), None, "payload changed, signature kept");

        let other = keys(&"t".repeat(32)).issue(&user(), now()).unwrap();
        assert_eq!(k.verify(&other), None, "signed with another secret");
        assert_eq!(k.verify("not.a.token"), None);
    }

    #[test]
    fn alg_none_is_refused() {
        let k = keys(&"s".repeat(32));
        let header = b64(br#"{"alg":"none","typ":"JWT"}"#);
        let claims = serde_json::json!({"sub": "u1", "role": "super_admin", "name": "x", "iat": now(), "exp": now() + 600, "iss": ISSUER, "aud": AUDIENCE});
        let unsigned = format!("{header}.{}.", b64(claims.to_string().as_bytes()));
        assert_eq!(k.verify(&unsigned), None);
    }

    #[test]
    fn missing_audience_or_issuer_is_refused() {
        let k = keys(&"s".repeat(32));
        let secret = "s".repeat(32);
        let enc = EncodingKey::from_secret(secret.as_bytes()).unwrap();
        let no_aud = serde_json::json!({"sub": "u1", "role": "shopper", "name": "x", "iat": now(), "exp": now() + 600, "iss": ISSUER});
        let token = encode(&Header::new(Algorithm::HS256), &no_aud, &enc).unwrap();
        assert_eq!(k.verify(&token), None);
        let wrong_iss = serde_json::json!({"sub": "u1", "role": "shopper", "name": "x", "iat": now(), "exp": now() + 600, "iss": "evil", "aud": AUDIENCE});
        let token = encode(&Header::new(Algorithm::HS256), &wrong_iss, &enc).unwrap();
        assert_eq!(k.verify(&token), None);
    }
}
