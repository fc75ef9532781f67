//! TLS for the exporter: a certificate chain and a private key in PEM, served with rustls.
//!
//! rustls is built with the `ring` provider only (no aws-lc-rs, whose build is slow and needs
//! cmake), and the provider is passed explicitly, so the process-wide default provider that
//! another part of the host may install is neither needed nor disturbed.

use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::Arc;

use rustls::ServerConfig;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use super::ExporterError;
use crate::bounded_file::{MAX_PEM_BYTES, read_bounded};

/// Where the certificate chain and the private key come from.
#[derive(Clone)]
enum PemSource {
    File(PathBuf),
    Memory(Vec<u8>),
}

impl PemSource {
    /// The PEM text: a file's is read with a bound, so that a path to a device or a huge file is
    /// an error rather than a read without end.
    fn read(&self, what: &str) -> Result<Cow<'_, [u8]>, ExporterError> {
        match self {
            PemSource::Memory(pem) => Ok(Cow::Borrowed(pem)),
            PemSource::File(path) => read_bounded(path, MAX_PEM_BYTES)
                .map(Cow::Owned)
                .map_err(|e| tls_error(&format!("{what} {}", path.display()), e)),
        }
    }
}

impl std::fmt::Debug for PemSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PemSource::File(path) => write!(f, "File({})", path.display()),
            // Never print key material, not even in a debug dump of the options.
            PemSource::Memory(pem) => write!(f, "Memory({} bytes)", pem.len()),
        }
    }
}

/// The certificate and key an exporter serves HTTPS with. They are read once, when the exporter
/// starts; a renewed certificate takes effect on the next start.
#[derive(Clone, Debug)]
pub struct TlsOptions {
    cert_chain: PemSource,
    private_key: PemSource,
}

impl TlsOptions {
    /// A PEM file holding the certificate chain (leaf first) and a PEM file holding its private
    /// key (PKCS#8, PKCS#1 or SEC1).
    pub fn from_pem_files(cert_chain: impl Into<PathBuf>, private_key: impl Into<PathBuf>) -> Self {
        TlsOptions {
            cert_chain: PemSource::File(cert_chain.into()),
            private_key: PemSource::File(private_key.into()),
        }
    }

    /// The same, from PEM text already in memory.
    pub fn from_pem(cert_chain: impl Into<Vec<u8>>, private_key: impl Into<Vec<u8>>) -> Self {
        TlsOptions {
            cert_chain: PemSource::Memory(cert_chain.into()),
            private_key: PemSource::Memory(private_key.into()),
        }
    }

    /// Reads and checks the certificate and key: the server configuration every connection uses.
    pub(crate) fn server_config(&self) -> Result<Arc<ServerConfig>, ExporterError> {
        let certs = self.certificates()?;
        let key = self.key()?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| tls_error("protocol versions", e))?
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .map_err(|e| tls_error("certificate and key", e))?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }

    fn certificates(&self) -> Result<Vec<CertificateDer<'static>>, ExporterError> {
        let pem = self.cert_chain.read("certificate file")?;
        let certs: Result<Vec<_>, _> = CertificateDer::pem_slice_iter(&pem).collect();
        let certs = certs.map_err(|e| tls_error("certificate chain", e))?;
        if certs.is_empty() {
            return Err(ExporterError::Tls(
                "no certificate found in the certificate chain PEM".into(),
            ));
        }
        Ok(certs)
    }

    fn key(&self) -> Result<PrivateKeyDer<'static>, ExporterError> {
        let pem = self.private_key.read("private key file")?;
        PrivateKeyDer::from_pem_slice(&pem).map_err(|e| tls_error("private key", e))
    }
}

fn tls_error(what: &str, error: impl std::fmt::Display) -> ExporterError {
    ExporterError::Tls(format!("{what}: {error}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_shows_no_key_material() {
        let options = TlsOptions::from_pem("CERT", "-----BEGIN PRIVATE KEY-----secret");
        let shown = format!("{options:?}");
        assert!(!shown.contains("secret"), "{shown}");
        assert!(shown.contains("Memory(33 bytes)"), "{shown}");
    }
}
