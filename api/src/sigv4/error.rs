//! Why a request's signature was refused, worded as API Gateway words it so SDK users see familiar
//! messages, and grouped into API Gateway's four exception names.

use time::{Duration, OffsetDateTime};

use super::auth::amz_date;

#[derive(Debug, thiserror::Error)]
pub enum SigV4Error {
    /// Neither an `Authorization` header nor the query parameters of a presigned URL.
    #[error("Missing Authentication Token")]
    MissingAuthentication,
    /// The signature's parameters are missing, duplicated or not of their form.
    #[error("{0}")]
    Malformed(String),
    #[error(
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{scope_date}' != '{}', from '{}'.",
        &amz_date(.signed_at)[..8],
        amz_date(.signed_at)
    )]
    ScopeDateMismatch { scope_date: String, signed_at: OffsetDateTime },
    #[error("Credential should be scoped to a valid region, not '{0}'.")]
    WrongRegion(String),
    #[error("Credential should be scoped to correct service: '{expected}'.")]
    WrongService { expected: String },
    /// Older than the allowed skew (or, presigned, than its `X-Amz-Expires`): a replay, or a bad clock.
    #[error(
        "Signature expired: {} is now earlier than {} ({} - {}.)",
        amz_date(.signed_at),
        amz_date(&(*.now - *.window)),
        amz_date(.now),
        describe(.window)
    )]
    Expired { signed_at: OffsetDateTime, now: OffsetDateTime, window: Duration },
    #[error(
        "Signature not yet current: {} is still later than {} ({} + {}.)",
        amz_date(.signed_at),
        amz_date(&(*.now + *.window)),
        amz_date(.now),
        describe(.window)
    )]
    NotYetCurrent { signed_at: OffsetDateTime, now: OffsetDateTime, window: Duration },
    /// `x-amz-content-sha256` names another body than the one received (or `UNSIGNED-PAYLOAD`).
    #[error("The provided 'x-amz-content-sha256' header does not match what was computed.")]
    ContentHashMismatch,
    #[error(
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
    )]
    SignatureMismatch,
    /// No secret is known for the access key id; the caller constructs this after its lookup.
    #[error("The security token included in the request is invalid.")]
    UnknownAccessKey,
    /// A session token is missing (temporary key), unexpected, or not the one issued with the key.
    #[error("The security token included in the request is invalid.")]
    InvalidSessionToken,
}

impl SigV4Error {
    /// The exception name for the `x-amzn-ErrorType` header (always with status 403).
    pub fn aws_error_type(&self) -> &'static str {
        match self {
            Self::MissingAuthentication => "MissingAuthenticationTokenException",
            Self::Malformed(_) => "IncompleteSignatureException",
            Self::ScopeDateMismatch { .. }
            | Self::WrongRegion(_)
            | Self::WrongService { .. }
            | Self::Expired { .. }
            | Self::NotYetCurrent { .. }
            | Self::ContentHashMismatch
            | Self::SignatureMismatch => "InvalidSignatureException",
            Self::UnknownAccessKey | Self::InvalidSessionToken => "UnrecognizedClientException",
        }
    }
}

pub(super) fn malformed(message: impl Into<String>) -> SigV4Error {
    SigV4Error::Malformed(message.into())
}

/// "5 min" as API Gateway says it; presigned lifetimes need not be whole minutes.
fn describe(window: &Duration) -> String {
    match window.whole_seconds() {
        seconds if seconds % 60 == 0 => format!("{} min", seconds / 60),
        seconds => format!("{seconds} sec"),
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn skew_messages_read_like_api_gateways() {
        let expired = SigV4Error::Expired {
            signed_at: datetime!(2015-08-30 12:36:00 UTC),
            now: datetime!(2015-08-30 12:45:00 UTC),
            window: Duration::minutes(5),
        };
        assert_eq!(
            expired.to_string(),
            "Signature expired: 20150830T123600Z is now earlier than 20150830T124000Z (20150830T124500Z - 5 min.)"
        );
        let early = SigV4Error::NotYetCurrent {
            signed_at: datetime!(2015-08-30 12:36:00 UTC),
            now: datetime!(2015-08-30 12:30:00 UTC),
            window: Duration::seconds(90),
        };
        assert_eq!(
            early.to_string(),
            "Signature not yet current: 20150830T123600Z is still later than 20150830T123130Z (20150830T123000Z + 90 sec.)"
        );
    }

    #[test]
    fn scope_date_message_names_both_dates() {
        let error = SigV4Error::ScopeDateMismatch {
            scope_date: "20150831".into(),
            signed_at: datetime!(2015-08-30 12:36:00 UTC),
        };
        assert_eq!(
            error.to_string(),
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20150831' != '20150830', from '20150830T123600Z'."
        );
        assert_eq!(error.aws_error_type(), "InvalidSignatureException");
    }
}
