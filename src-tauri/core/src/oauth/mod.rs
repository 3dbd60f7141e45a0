//! OAuth 2.0 for the three providers: sign-in (state + PKCE, loopback callback),
//! token exchange, refresh ahead of expiry with one refresh at a time, disconnect.

mod client;
mod connect;
mod grant;
pub mod loopback;
mod spec;

pub(crate) use client::value_text;
pub use client::{ProviderClient, TokenCall, TokenSet};
pub use connect::PendingConnect;
pub use grant::Grant;
pub use spec::{spec, OAuthSpec, TokenStyle};
