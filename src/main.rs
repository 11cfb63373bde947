//! Entry point: load `.env`, start logging, hand the command line to `kuayue::cli`.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    // A missing .env is normal; settings may come from the real environment.
    let _ = dotenvy::dotenv();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    match kuayue::cli::run(kuayue::cli::Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("错误：{err:#}");
            ExitCode::FAILURE
        }
    }
}
