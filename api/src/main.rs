use api::{config::Command, lambda, server, telemetry};

/// Each request allocates and frees many small buffers (rows, JSON, headers): mimalloc takes less time
/// over them than the system's allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let command = Command::parse();
    let on_lambda = lambda::invoked();
    let output = match (&command, on_lambda) {
        (Command::Serve(_), false) => telemetry::Output::Batched,
        _ => telemetry::Output::Direct,
    };
    let _logs = telemetry::init(command.log_format(), output);
    let outcome = match (command, on_lambda) {
        (Command::Serve(config), false) => server::run(*config).await,
        (Command::Serve(config), true) => lambda::run(*config).await,
        (Command::Migrate(config), false) => server::migrate(&config).await.map(drop),
        (Command::Migrate(config), true) => lambda::answer_migrations(*config).await,
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
