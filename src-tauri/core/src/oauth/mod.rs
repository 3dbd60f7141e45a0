//! OAuth 2.0 pieces shared by every provider: the token-endpoint client (code
//! exchange, refresh; `oauth2` crate for form bodies, reqwest for JSON ones), the
//! shape of a provider's OAuth, and the loopback server. The flow that uses them
//! (sign-in, refresh, disconnect) is the session's (`session::sign_in`, `::tokens`).

mod client;
pub mod loopback;
mod spec;

pub(crate) use client::value_text;
pub(crate) use client::TokenFailure;
pub use client::{
    json_token_set, parse_token_response, JsonTokenError, ProviderClient, TokenCall, TokenSet,
};
pub use spec::{spec, OAuthSpec, TokenStyle};
