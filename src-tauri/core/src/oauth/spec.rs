//! The shape of a provider's OAuth; each provider states its own in `providers/<p>`.

use crate::ProviderId;

/// How the token endpoint wants the client to authenticate and the body encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenStyle {
    /// HubSpot: form body with client_id and client_secret in the body.
    FormWithCredentialsInBody,
    /// Airtable: form body; HTTP Basic when the app has a secret, client_id in the
    /// body when it has none (Airtable forbids Basic without a secret).
    FormWithBasicIfSecret,
    /// Notion: HTTP Basic and a JSON body.
    JsonWithBasic,
}

pub struct OAuthSpec {
    pub scopes: &'static [&'static str],
    /// Send PKCE S256 (Airtable requires it; HubSpot accepts it; Notion's flow has none).
    pub pkce: bool,
    pub extra_authorize_params: &'static [(&'static str, &'static str)],
    pub token_style: TokenStyle,
    /// Whether Connect needs a client secret.
    pub secret_required: bool,
}

/// What `provider`'s sign-in looks like.
pub fn spec(provider: ProviderId) -> &'static OAuthSpec {
    &provider.get().facts().oauth
}
