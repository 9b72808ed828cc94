//! A mail server for the tests: plain SMTP, just enough of it for a real client (greeting,
//! EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT). It keeps each mail it accepts, and can be told to
//! refuse mails at DATA with a reply of the test's choosing.

use std::{
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::Duration,
};

use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    net::{TcpListener, TcpStream},
    task::JoinHandle,
};

/// One accepted mail: the envelope and the message as sent (headers and body).
#[derive(Debug, Clone)]
pub struct Mail {
    pub from: String,
    pub to: Vec<String>,
    pub data: String,
}

#[derive(Default)]
struct Inbox {
    mails: Vec<Mail>,
    refusal: Option<String>,
}

/// Serves until dropped.
pub struct MailServer {
    pub addr: SocketAddr,
    inbox: Arc<Mutex<Inbox>>,
    accept: JoinHandle<()>,
}

impl MailServer {
    pub async fn start() -> Self {
        Self::start_on("127.0.0.1:0".parse().unwrap()).await
    }

    /// On this address, e.g. that of a server that was down until now.
    pub async fn start_on(addr: SocketAddr) -> Self {
        let listener = TcpListener::bind(addr).await.expect("bind the mail server");
        let addr = listener.local_addr().unwrap();
        let inbox = Arc::new(Mutex::new(Inbox::default()));
        let accept = tokio::spawn(accept(listener, inbox.clone()));
        Self { addr, inbox, accept }
    }

    /// A loopback address where no server listens (yet).
    pub async fn unused_addr() -> SocketAddr {
        TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap()
    }

    /// Refuses every mail at DATA with this reply (e.g. `451 4.3.0 Try again later`), or no longer.
    pub fn refuse(&self, reply: Option<&str>) {
        self.inbox.lock().unwrap().refusal = reply.map(str::to_owned);
    }

    pub fn mails(&self) -> Vec<Mail> {
        self.inbox.lock().unwrap().mails.clone()
    }

    /// The first mail, once it has arrived (within ten seconds).
    pub async fn first_mail(&self) -> Mail {
        for _ in 0..200 {
            if let Some(mail) = self.mails().into_iter().next() {
                return mail;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no mail arrived");
    }
}

impl Drop for MailServer {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

async fn accept(listener: TcpListener, inbox: Arc<Mutex<Inbox>>) {
    while let Ok((stream, _)) = listener.accept().await {
        tokio::spawn(session(stream, inbox.clone()));
    }
}

/// One client's session. An I/O error just ends it, as a real server would.
async fn session(stream: TcpStream, inbox: Arc<Mutex<Inbox>>) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    write.write_all(b"220 mail.test ESMTP\r\n").await?;
    let mut envelope = (String::new(), Vec::new());
    while let Some(line) = lines.next_line().await? {
        let verb = line.split(' ').next().unwrap_or_default().to_ascii_uppercase();
        let reply = match verb.as_str() {
            "EHLO" | "HELO" => "250 mail.test".to_owned(),
            "MAIL" => {
                envelope = (address(&line), Vec::new());
                "250 OK".to_owned()
            }
            "RCPT" => {
                envelope.1.push(address(&line));
                "250 OK".to_owned()
            }
            "DATA" => {
                let refusal = inbox.lock().unwrap().refusal.clone();
                match refusal {
                    Some(reply) => reply,
                    None => {
                        write.write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n").await?;
                        let data = read_data(&mut lines).await?;
                        let (from, to) = std::mem::take(&mut envelope);
                        inbox.lock().unwrap().mails.push(Mail { from, to, data });
                        "250 OK queued".to_owned()
                    }
                }
            }
            "RSET" => {
                envelope = Default::default();
                "250 OK".to_owned()
            }
            "NOOP" => "250 OK".to_owned(),
            "QUIT" => {
                write.write_all(b"221 Bye\r\n").await?;
                return Ok(());
            }
            _ => "502 Command not implemented".to_owned(),
        };
        write.write_all(format!("{reply}\r\n").as_bytes()).await?;
    }
    Ok(())
}

/// The address in `MAIL FROM:<a@b> ...` or `RCPT TO:<a@b>`.
fn address(line: &str) -> String {
    let start = line.find('<').map_or(0, |i| i + 1);
    let end = line.find('>').unwrap_or(line.len());
    line[start..end].to_owned()
}

/// The message up to the line holding only a dot, with dot-stuffing undone.
async fn read_data(lines: &mut tokio::io::Lines<BufReader<tokio::net::tcp::OwnedReadHalf>>) -> std::io::Result<String> {
    let mut data = String::new();
    while let Some(line) = lines.next_line().await? {
        if line == "." {
            break;
        }
        data.push_str(line.strip_prefix('.').unwrap_or(&line));
        data.push('\n');
    }
    Ok(data)
}
