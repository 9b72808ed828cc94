//! The SMTP sink: each message as a plain-text mail from `SMTP_FROM` through the configured server.

use std::time::Duration;

use lettre::{
    AsyncSmtpTransport, AsyncTransport, Tokio1Executor,
    message::{Mailbox, header::ContentType},
    transport::smtp::{
        self,
        authentication::Credentials,
        client::{Tls, TlsParameters},
    },
};

use super::{Failure, Message};
use crate::config::{SmtpSettings, SmtpTls};

/// The longest wait for each step of the exchange: the relay holds the message's claim meanwhile.
const TIMEOUT: Duration = Duration::from_secs(30);

pub struct SmtpSink {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl SmtpSink {
    /// Fails only if TLS cannot be set up (e.g. no certificate roots on the machine).
    pub fn new(settings: &SmtpSettings) -> Result<Self, smtp::Error> {
        let tls = match settings.tls {
            SmtpTls::Starttls => Tls::Required(TlsParameters::new(settings.host.clone())?),
            SmtpTls::Tls => Tls::Wrapper(TlsParameters::new(settings.host.clone())?),
            SmtpTls::None => Tls::None,
        };
        let mut transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&settings.host)
            .port(settings.port())
            .tls(tls)
            .timeout(Some(TIMEOUT));
        if let (Some(username), Some(password)) = (&settings.username, &settings.password) {
            transport = transport.credentials(Credentials::new(username.clone(), password.expose().to_owned()));
        }
        Ok(Self { transport: transport.build(), from: settings.from.clone() })
    }

    /// Succeeds once the server has accepted the message.
    pub async fn deliver(&self, message: &Message) -> Result<(), Failure> {
        self.transport
            .send(self.mail(message)?)
            .await
            .map_err(|error| Failure { permanent: error.is_permanent(), reason: error.to_string() })?;
        Ok(())
    }

    /// A destination that is no email address (e.g. a phone number) can never be mailed.
    fn mail(&self, message: &Message) -> Result<lettre::Message, Failure> {
        let permanent = |reason: String| Failure { reason, permanent: true };
        let to: Mailbox = message.destination.parse().map_err(|_| permanent("not an email address".into()))?;
        lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&message.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(message.body.clone())
            .map_err(|error| permanent(error.to_string()))
    }
}
