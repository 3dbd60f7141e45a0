//! What each provider's OAuth really looks like (shared/docs/providers.md).

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

pub fn spec(provider: ProviderId) -> OAuthSpec {
    match provider {
        ProviderId::Hubspot => OAuthSpec {
            scopes: &[
                "crm.objects.contacts.read",
                "crm.objects.companies.read",
                "crm.objects.deals.read",
                "oauth",
            ],
            pkce: true,
            extra_authorize_params: &[],
            token_style: TokenStyle::FormWithCredentialsInBody,
            secret_required: true,
        },
        ProviderId::Airtable => OAuthSpec {
            scopes: &["data.records:read", "schema.bases:read", "user.email:read"],
            pkce: true,
            extra_authorize_params: &[],
            token_style: TokenStyle::FormWithBasicIfSecret,
            secret_required: false,
        },
        ProviderId::Notion => OAuthSpec {
            scopes: &[],
            pkce: false,
            extra_authorize_params: &[("owner", "user")],
            token_style: TokenStyle::JsonWithBasic,
            secret_required: true,
        },
    }
}
