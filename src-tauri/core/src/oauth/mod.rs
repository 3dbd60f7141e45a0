//! OAuth 2.0 for the three providers: sign-in (state + PKCE, loopback callback),
//! token exchange, refresh ahead of expiry with one refresh at a time, disconnect.

mod client;
mod connect;
mod grant;
pub mod loopback;
mod spec;

pub use client::ProviderClient;
pub use connect::PendingConnect;
pub use grant::Grant;
pub use spec::{spec, OAuthSpec, TokenStyle};
