//! Session cookies: `HttpOnly; SameSite=Lax; Path=/`, plus `Secure` and the `__Host-` prefix when
//! served over HTTPS (`COOKIE_SECURE`).

/// How cookies are written.
#[derive(Clone, Copy, Debug)]
pub struct CookiePolicy {
    pub secure: bool,
}

impl CookiePolicy {
    /// Name of the access-token cookie.
    pub fn access_name(&self) -> &'static str {
        if self.secure {
            "__Host-access"
        } else {
            "access"
        }
    }

    /// Name of the refresh-token cookie.
    pub fn refresh_name(&self) -> &'static str {
        if self.secure {
            "__Host-refresh"
        } else {
            "refresh"
        }
    }

    /// A `Set-Cookie` value for `name=value` living `max_age` seconds.
    pub fn set(&self, name: &str, value: &str, max_age: i64) -> String {
        let secure = if self.secure { "; Secure" } else { "" };
        format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}")
    }

    /// `Set-Cookie` values that delete both session cookies.
    pub fn clear_all(&self) -> Vec<String> {
        vec![self.set(self.access_name(), "", 0), self.set(self.refresh_name(), "", 0)]
    }
}

/// The value of cookie `name` in a `Cookie` header.
pub fn cookie_value<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header
        .split(';')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| k.trim() == name)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_and_prefix() {
        let plain = CookiePolicy { secure: false };
        assert_eq!(plain.set(plain.access_name(), "t", 900), "access=t; Path=/; HttpOnly; SameSite=Lax; Max-Age=900");
        let https = CookiePolicy { secure: true };
        assert_eq!(
            https.set(https.refresh_name(), "r", 60),
            "__Host-refresh=r; Path=/; HttpOnly; SameSite=Lax; Max-Age=60; Secure"
        );
        assert!(https.clear_all().iter().all(|c| c.contains("Max-Age=0")));
    }

    #[test]
    fn reads_a_cookie() {
        assert_eq!(cookie_value("a=1; access=tok; lang=it", "access"), Some("tok"));
        assert_eq!(cookie_value("xaccess=1", "access"), None);
        assert_eq!(cookie_value("access=", "access"), None);
    }
}
