use api::{Config, telemetry};
use clap::Parser;

/// Each request allocates and frees many small buffers (rows, JSON, headers): mimalloc takes less time
/// over them than the system's allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let config = Config::parse();
    telemetry::init(config.log_format);
    match api::server::run(config).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(%error, "api stopped");
            eprintln!("api: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}
