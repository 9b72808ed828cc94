//! Just enough HTTP to ask a local server whether it is up, and a free port to start one on.

use std::{
    io::{self, BufRead, BufReader, Write},
    net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream},
    time::Duration,
};

use crate::Result;

/// A port on 127.0.0.1 that nothing listens on (the OS picks it).
pub fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// A free address on 127.0.0.1, to start a server on.
pub fn free_addr() -> Result<SocketAddr> {
    Ok(SocketAddr::from((Ipv4Addr::LOCALHOST, free_port()?)))
}

/// Whether `GET http://<addr><path>` answers 200.
pub fn is_ok(addr: SocketAddr, path: &str) -> bool {
    status(addr, path).is_ok_and(|status| status == Some(200))
}

fn status(addr: SocketAddr, path: &str) -> io::Result<Option<u16>> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(1))?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n")?;
    let mut status_line = String::new();
    BufReader::new(stream).read_line(&mut status_line)?;
    Ok(parse_status(&status_line))
}

/// `HTTP/1.1 200 OK` -> 200.
fn parse_status(status_line: &str) -> Option<u16> {
    let mut words = status_line.split_whitespace();
    words.next().filter(|version| version.starts_with("HTTP/"))?;
    words.next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_status_code() {
        assert_eq!(parse_status("HTTP/1.1 200 OK\r\n"), Some(200));
        assert_eq!(parse_status("HTTP/1.1 503 Service Unavailable\r\n"), Some(503));
    }

    #[test]
    fn rejects_what_is_not_a_status_line() {
        assert_eq!(parse_status(""), None);
        assert_eq!(parse_status("SSH-2.0-OpenSSH\r\n"), None);
    }
}
