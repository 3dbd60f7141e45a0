//! `fake-providers`: the fake HubSpot, Airtable and Notion servers as a process, for
//! E2E tests and benchmarks. Prints the URLs and credentials to use, then serves until
//! killed (Ctrl-C or SIGTERM).

use std::time::Duration;

use clap::Parser;
use junction_core::ProviderId;
use junction_fakes::{redirect_uri, DataSize, FakeConfig, FakeProviders};

#[derive(Debug, Parser)]
#[command(
    name = "fake-providers",
    about = "Fake HubSpot, Airtable and Notion for tests and benchmarks"
)]
struct Args {
    /// Port on 127.0.0.1 (0 = any free port).
    #[arg(long, default_value_t = 0)]
    port: u16,
    #[arg(long, default_value_t = 25)]
    contacts: usize,
    #[arg(long, default_value_t = 10)]
    companies: usize,
    #[arg(long, default_value_t = 10)]
    deals: usize,
    #[arg(long, default_value_t = 2)]
    bases: usize,
    /// Tables per base.
    #[arg(long, default_value_t = 2)]
    tables: usize,
    /// Records per table.
    #[arg(long, default_value_t = 15)]
    records: usize,
    /// Notion pages.
    #[arg(long, default_value_t = 30)]
    pages: usize,
    /// Notion databases.
    #[arg(long, default_value_t = 3)]
    databases: usize,
    /// Mix the fixtures' edge cases into the data.
    #[arg(long)]
    edge_cases: bool,
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Latency added to every request, in milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Divide every rate-limit window and penalty by this (JUNCTION_RATE_LIMIT_SCALE).
    #[arg(long, default_value_t = 1.0)]
    rate_limit_scale: f64,
    /// Serve without rate limits.
    #[arg(long)]
    no_rate_limits: bool,
    /// Redirect port Junction listens on (its redirect URIs are registered).
    #[arg(long, default_value_t = 8000)]
    redirect_port: u16,
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args = Args::parse();
    if !(args.rate_limit_scale.is_finite() && args.rate_limit_scale > 0.0) {
        eprintln!("fake-providers: --rate-limit-scale must be a positive number");
        std::process::exit(2);
    }
    let mut config = FakeConfig {
        port: args.port,
        data: DataSize {
            contacts: args.contacts,
            companies: args.companies,
            deals: args.deals,
            bases: args.bases,
            tables_per_base: args.tables,
            records_per_table: args.records,
            pages: args.pages,
            databases: args.databases,
            edge_cases: args.edge_cases,
            seed: args.seed,
            ..DataSize::default()
        },
        latency: Duration::from_millis(args.latency_ms),
        rate_limit_scale: args.rate_limit_scale,
        rate_limits: !args.no_rate_limits,
        ..FakeConfig::default()
    };
    for (provider, app) in config.apps.iter_mut() {
        app.redirect_uris = vec![redirect_uri(args.redirect_port, *provider)];
    }
    let fakes = match FakeProviders::start(config).await {
        Ok(f) => f,
        Err(e) => {
            eprintln!("fake-providers: {e}");
            std::process::exit(1);
        }
    };
    println!("listening {}", fakes.base_url());
    for p in ProviderId::ALL {
        let urls = fakes.urls(p);
        let app = fakes.app(p);
        println!(
            "{p} auth={} token={} api={} client_id={} client_secret={} redirect_uri={}",
            urls.auth,
            urls.token,
            urls.api,
            app.client_id,
            app.client_secret.as_deref().unwrap_or(""),
            app.redirect_uris.join(",")
        );
    }
    let s = fakes.summary();
    println!(
        "data contacts={} companies={} deals={} bases={} tables={} records={} pages={} databases={}",
        s.contacts, s.companies, s.deals, s.bases, s.tables, s.records, s.pages, s.databases
    );
    wait_for_signal().await;
    fakes.shutdown().await;
}

/// Ctrl-C, or SIGTERM on Unix (what test harnesses send).
async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
