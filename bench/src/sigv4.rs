//! SigV4 signing as the AWS SDKs sign (the `aws-sigv4` crate): the admin operations the benchmarks set
//! up with, and api calls signed with an identity pool's credentials.

use std::time::SystemTime;

use aws_credential_types::Credentials;
use aws_sigv4::{
    http_request::{SignableBody, SignableRequest, SigningSettings, sign},
    sign::v4,
};
use reqwest::{
    Url,
    header::{HeaderMap, HeaderName, HeaderValue},
};

use crate::load::Failure;

/// Whom a request is signed as, and for which service and region.
pub struct Signer {
    pub credentials: Credentials,
    pub service: &'static str,
    pub region: String,
}

impl Signer {
    /// The headers to send with `method url`, its `headers` and `body`, signed as of `time`:
    /// `headers` themselves, `x-amz-date`, `authorization` and, for temporary credentials,
    /// `x-amz-security-token` (the `host` header, signed too, is the URL's, which reqwest sends).
    pub fn sign(
        &self,
        method: &str,
        url: &Url,
        headers: &[(&str, &str)],
        body: &[u8],
        time: SystemTime,
    ) -> Result<HeaderMap, Failure> {
        let host = match url.port() {
            Some(port) => format!("{}:{port}", url.host_str().unwrap_or_default()),
            None => url.host_str().unwrap_or_default().to_owned(),
        };
        let signed: Vec<(&str, &str)> =
            std::iter::once(("host", host.as_str())).chain(headers.iter().copied()).collect();
        let identity = self.credentials.clone().into();
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(&self.region)
            .name(self.service)
            .time(time)
            .settings(SigningSettings::default())
            .build()?
            .into();
        let signable = SignableRequest::new(method, url.as_str(), signed.iter().copied(), SignableBody::Bytes(body))?;
        let (signature, _) = sign(signable, &params)?.into_parts();
        let mut map = HeaderMap::new();
        for (name, value) in headers.iter().copied().chain(signature.headers()) {
            let mut value = HeaderValue::from_str(value)?;
            value.set_sensitive(name == "authorization" || name == "x-amz-security-token");
            map.insert(HeaderName::from_bytes(name.as_bytes())?, value);
        }
        Ok(map)
    }
}
