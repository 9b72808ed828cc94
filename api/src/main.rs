use api::{config::Command, lambda, server, telemetry};

/// Each request allocates and frees many small buffers (rows, JSON, headers): mimalloc takes less time
/// over them than the system's allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let outcome = match Command::parse() {
        Command::Migrate(config) => {
            telemetry::init(config.log_format);
            server::migrate(config).await
        }
        Command::Serve(config) => {
            telemetry::init(config.log_format);
            match lambda::invoked() {
                true => lambda::run(*config).await,
                false => server::run(*config).await,
            }
        }
    };
    match outcome {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(%error, "api stopped");
            eprintln!("api: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}
