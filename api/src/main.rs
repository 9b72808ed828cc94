use api::{Config, telemetry};
use clap::Parser;

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
