//! Airtable's OAuth beyond code exchange and refresh: the account the card shows.

use secrecy::ExposeSecret;
use serde_json::Value;

use crate::oauth::{TokenCall, TokenSet};

/// The user's e-mail from `GET /v0/meta/whoami` (with `user.email:read`), else its id.
pub(super) async fn whoami(call: TokenCall<'_>, tokens: &TokenSet) -> Option<String> {
    let whoami = call
        .http
        .get(call.api_url("v0/meta/whoami"))
        .bearer_auth(tokens.access_token.expose_secret());
    let v = call.json_or_none(whoami).await?;
    v.get("email")
        .and_then(Value::as_str)
        .or_else(|| v.get("id").and_then(Value::as_str))
        .map(str::to_string)
}
