//! `junction-cli items`: load and write every item. (Loading lands with the fetch engine.)

use std::path::Path;

use junction_core::export::ExportFormat;
use junction_core::{Error, ProviderId, Session};

/// A provider, or `all` connected ones.
#[derive(Debug, Clone, Copy)]
pub enum Target {
    One(ProviderId),
    All,
}

impl std::str::FromStr for Target {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.eq_ignore_ascii_case("all") {
            return Ok(Target::All);
        }
        s.parse::<ProviderId>()
            .map(Target::One)
            .map_err(|e| e.to_string())
    }
}

pub async fn run(
    _session: &Session,
    _target: Target,
    _out: Option<&Path>,
    _format: ExportFormat,
) -> Result<(), Error> {
    Err(Error::Internal("loading items is not available yet".into()))
}
