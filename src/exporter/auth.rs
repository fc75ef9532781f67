//! HTTP basic authentication (RFC 7617) for exporters reachable beyond localhost.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::ExporterError;

/// The one user name and password an exporter accepts.
#[derive(Clone)]
pub struct BasicAuth {
    /// `user:password`, the form the `Authorization` header carries once decoded.
    expected: Vec<u8>,
}

impl std::fmt::Debug for BasicAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the password, not even in a debug dump of the options.
        f.debug_struct("BasicAuth").finish_non_exhaustive()
    }
}

impl BasicAuth {
    /// Credentials to require. RFC 7617 forbids a colon in the user name (the decoded header
    /// splits at the first one) and control characters in either part.
    pub fn new(user: &str, password: &str) -> Result<Self, ExporterError> {
        if user.contains(':') {
            return Err(ExporterError::InvalidOptions(
                "a basic-auth user name cannot contain ':'".into(),
            ));
        }
        if user.chars().chain(password.chars()).any(char::is_control) {
            return Err(ExporterError::InvalidOptions(
                "basic-auth credentials cannot contain control characters".into(),
            ));
        }
        Ok(BasicAuth {
            expected: format!("{user}:{password}").into_bytes(),
        })
    }

    /// Whether an `Authorization` header value carries these credentials.
    pub(crate) fn accepts(&self, authorization: Option<&str>) -> bool {
        let Some((scheme, token)) = authorization.and_then(|v| v.trim().split_once(' ')) else {
            return false;
        };
        if !scheme.eq_ignore_ascii_case("basic") {
            return false;
        }
        match STANDARD.decode(token.trim()) {
            Ok(given) => constant_time_eq(&given, &self.expected),
            Err(_) => false,
        }
    }
}

/// Compares without returning early, so the time taken reveals neither where the first wrong
/// byte is nor how long the expected value is: the loop runs over the given bytes only.
fn constant_time_eq(given: &[u8], expected: &[u8]) -> bool {
    let mut difference = u8::from(given.len() != expected.len());
    for (i, byte) in given.iter().enumerate() {
        let wanted = if expected.is_empty() {
            0
        } else {
            expected[i % expected.len()]
        };
        difference |= byte ^ wanted;
    }
    // Keeps the optimiser from turning the loop into an early exit.
    std::hint::black_box(difference) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(credentials: &str) -> String {
        format!("Basic {}", STANDARD.encode(credentials))
    }

    #[test]
    fn accepts_only_the_exact_credentials() {
        let auth = BasicAuth::new("prom", "s3cr:et").unwrap();
        assert!(auth.accepts(Some(&header("prom:s3cr:et"))));
        assert!(auth.accepts(Some(&header("prom:s3cr:et").replace("Basic", "bAsIc"))));
        assert!(!auth.accepts(Some(&header("prom:s3cr:eT"))));
        assert!(!auth.accepts(Some(&header("prom:s3cr:et "))));
        assert!(!auth.accepts(Some(&header("prom:s3cr"))));
        assert!(!auth.accepts(Some(&header("prom:s3cr:etprom:s3cr:et"))));
        assert!(!auth.accepts(Some("Basic !!!")));
        assert!(!auth.accepts(Some("Bearer abc")));
        assert!(!auth.accepts(Some("Basic")));
        assert!(!auth.accepts(None));
    }

    #[test]
    fn empty_password_is_allowed_but_colon_in_user_is_not() {
        let auth = BasicAuth::new("u", "").unwrap();
        assert!(auth.accepts(Some(&header("u:"))));
        assert!(!auth.accepts(Some(&header("u"))));
        assert!(BasicAuth::new("a:b", "c").is_err());
        assert!(BasicAuth::new("a", "c\n").is_err());
    }
}
