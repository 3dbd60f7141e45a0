//! junction-cli: Junction without a window, for scripts. It shares the app's
//! configuration, cache and secret store, so a connection made here works in the app
//! and the other way round.
//!
//! Exit codes: 0 success, 1 failure (one-line reason on stderr), 2 bad usage.

mod export;
mod items;

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use junction_core::config::{Config, PENDING_FLOW_TTL};
use junction_core::export::ExportOptions;
use junction_core::views::ConnectionState;
use junction_core::{Error, ProviderId, Session};

#[derive(Parser)]
#[command(
    name = "junction-cli",
    version,
    about = "Connect SaaS accounts and get their data out, from scripts"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Sign in to a provider: prints the authorization URL, waits for the callback.
    Connect {
        /// hubspot, airtable or notion
        provider: ProviderId,
        /// Print the URL only; do not open the browser.
        #[arg(long)]
        no_browser: bool,
    },
    /// One line per provider: connected (account), not connected, needs reconnect.
    Status,
    /// Revoke and forget a provider's connection.
    Disconnect { provider: ProviderId },
    /// Load every item of a provider (or all connected ones) and write them out.
    Items {
        /// hubspot, airtable, notion or all
        target: items::Target,
        #[command(flatten)]
        output: Output,
        /// Continue the last stopped load (of the app or the CLI) instead of starting over.
        #[arg(long)]
        resume: bool,
    },
    /// Write what the item store holds, without loading (no network request).
    Export {
        /// hubspot, airtable, notion or all
        target: items::Target,
        /// Only items whose name, parent, id or a property value holds every word.
        #[arg(long, value_name = "TEXT")]
        search: Option<String>,
        /// Only items of this type (Contact, Record, Page …); may be repeated.
        #[arg(long = "type", value_name = "TYPE")]
        types: Vec<String>,
        #[command(flatten)]
        output: Output,
    },
}

/// Where and how `items` and `export` write.
#[derive(clap::Args)]
struct Output {
    /// Write to FILE (atomically) instead of stdout.
    #[arg(long, value_name = "FILE")]
    out: Option<std::path::PathBuf>,
    /// json (an array of IntegrationItem), ndjson, csv or sqlite (needs --out)
    #[arg(long, default_value = "json")]
    format: junction_core::export::ExportFormat,
    /// CSV only: keep cells that begin with =, +, -, @, a tab or a carriage return as
    /// they are. By default they get a leading ' so a spreadsheet shows them as text
    /// instead of running them as formulas.
    #[arg(long)]
    csv_raw_formulas: bool,
}

impl Output {
    fn options(&self) -> ExportOptions {
        ExportOptions {
            format: self.format,
            csv_raw_formulas: self.csv_raw_formulas,
        }
    }
}

impl Command {
    /// A format that cannot go to stdout, asked for without `--out` (bad usage).
    fn file_only_format(&self) -> Option<junction_core::export::ExportFormat> {
        match self {
            Command::Items { output, .. } | Command::Export { output, .. }
                if output.out.is_none() && !output.format.streams() =>
            {
                Some(output.format)
            }
            _ => None,
        }
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    if let Some(format) = cli.command.file_only_format() {
        eprintln!(
            "junction-cli: a {} export needs a file: add --out FILE",
            format.display_name()
        );
        return ExitCode::from(2);
    }
    junction_core::logs::init_cli();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(&Error::Internal(e.to_string())),
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

fn fail(e: &Error) -> ExitCode {
    eprintln!("{}", error_line(e));
    ExitCode::from(1)
}

/// The CLI's error line: one line, redacted like the logs (an error may quote a
/// provider's answer, tokens included).
fn error_line(e: &Error) -> String {
    let line = format!("junction-cli: {}", e.to_string().replace('\n', " "));
    junction_core::redact::redact(&line).into_owned()
}

async fn open_session() -> Result<Session, Error> {
    let config = Config::load()?;
    let session = Session::open(config).await;
    if let Some(warning) = session.secrets().warning() {
        eprintln!("warning: {warning}");
    }
    Ok(session)
}

async fn run(cli: Cli) -> Result<(), Error> {
    match cli.command {
        Command::Connect {
            provider,
            no_browser,
        } => connect(provider, no_browser).await,
        Command::Status => status().await,
        Command::Disconnect { provider } => {
            let session = open_session().await?;
            if session.disconnect(provider).await? {
                println!("disconnected: {provider}");
            } else {
                println!("{provider} was not connected");
            }
            Ok(())
        }
        Command::Items {
            target,
            output,
            resume,
        } => {
            let session = open_session().await?;
            let out = output.out.as_deref();
            items::run(&session, target, out, output.options(), resume).await
        }
        Command::Export {
            target,
            output,
            search,
            types,
        } => {
            let session = open_session().await?;
            let out = output.out.as_deref();
            export::run(&session, target, out, output.options(), search, types).await
        }
    }
}

async fn connect(provider: ProviderId, no_browser: bool) -> Result<(), Error> {
    let session = open_session().await?;
    session.kv().await?;
    let pending = session.start_connect(provider, PENDING_FLOW_TTL).await?;
    let mut stdout = std::io::stdout();
    let _ = writeln!(stdout, "{}", pending.auth_url);
    let _ = stdout.flush();
    if !no_browser {
        if let Err(e) = webbrowser::open(pending.auth_url.as_str()) {
            eprintln!("could not open a browser ({e}); open the URL above yourself");
        }
    } else {
        eprintln!("waiting for the sign-in (open the URL above)…");
    }
    let cancel = pending.canceller();
    let ctrl_c = tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            cancel.cancel();
        }
    });
    let facts = pending.finish().await;
    ctrl_c.abort();
    let facts = facts?;
    let account = facts.account.unwrap_or_else(|| "unknown account".into());
    println!("connected: {provider} ({account})");
    Ok(())
}

async fn status() -> Result<(), Error> {
    let session = open_session().await?;
    for view in session.providers().await {
        let line = match view.state {
            ConnectionState::Connected => format!(
                "connected ({})",
                view.account.as_deref().unwrap_or("unknown account")
            ),
            ConnectionState::NeedsReconnect => "needs reconnect".to_string(),
            _ => "not connected".to_string(),
        };
        println!("{}: {line}", view.id);
    }
    Ok(())
}

#[cfg(test)]
mod error_line_tests {
    use super::*;

    #[test]
    fn the_error_line_is_one_redacted_line() {
        let e = Error::ProviderResponse {
            provider: "Airtable".into(),
            endpoint: "/oauth2/v1/token".into(),
            reason: "echoed\nrefresh_token=na1-xyz-secret&x=1".into(),
        };
        let line = error_line(&e);
        assert!(!line.contains("na1-xyz-secret"), "{line}");
        assert!(!line.contains('\n'), "{line}");
        assert!(
            line.starts_with("junction-cli: ") && line.contains("Airtable"),
            "{line}"
        );
    }
}
