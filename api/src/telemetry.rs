//! Logs: `tracing` events, filtered by `RUST_LOG` (default `info`), as text or JSON lines.

use std::io::{BufWriter, IsTerminal};

use tracing_appender::non_blocking::{NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::{EnvFilter, fmt, fmt::writer::BoxMakeWriter};

use crate::config::LogFormat;

/// Where the lines go, on stderr either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// Each line written as it is logged: on Lambda, which may freeze the process once the response
    /// is out, and for one-off commands.
    Direct,
    /// A server's lines handed to a background thread that writes whatever has queued up in one go:
    /// a request then costs no write of its own (every request logs a line, and the write was a
    /// tenth of the api's CPU time under load). None is dropped: a full queue makes the logger wait.
    Batched,
}

/// Starts logging; the answer, once dropped, has written every line logged until then.
pub fn init(format: LogFormat, output: Output) -> Option<WorkerGuard> {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let (writer, guard) = match output {
        Output::Direct => (BoxMakeWriter::new(std::io::stderr), None),
        Output::Batched => {
            let (writer, guard) = NonBlockingBuilder::default().lossy(false).finish(BufWriter::new(std::io::stderr()));
            (BoxMakeWriter::new(writer), Some(guard))
        }
    };
    // Colours only for a person at a terminal: in a log file or collector they are noise.
    let builder = fmt().with_env_filter(filter).with_writer(writer).with_ansi(std::io::stderr().is_terminal());
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().flatten_event(true).with_current_span(true).init(),
    }
    guard
}
