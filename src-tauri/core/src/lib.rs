//! junction-core: everything Junction does, with no UI and no tauri.
//!
//! The desktop shell (`src-tauri/src`) and `junction-cli` are thin adapters over this
//! crate: they read [`config::Config`], open the stores, and call the services here.

pub mod config;
pub mod error;
pub mod export;
pub mod fetch;
pub mod fs;
pub mod http;
pub mod item;
pub mod loads;
pub mod logs;
pub mod oauth;
pub mod providers;
pub mod redact;
pub mod session;
pub mod store;
pub mod views;

pub use error::{Error, ErrorCode, Result};
pub use item::IntegrationItem;
pub use providers::ProviderId;
pub use session::Session;
