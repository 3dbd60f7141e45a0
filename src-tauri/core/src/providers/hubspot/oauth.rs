//! HubSpot's OAuth beyond code exchange and refresh: the hub domain the card shows
//! (token introspection) and revocation, both `<TOKEN_URL>/…` with the client
//! credentials in the form body.

use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;

use crate::oauth::{TokenCall, TokenSet};
use crate::Result;

/// The hub domain from introspecting the access token, else the hub id.
pub(super) async fn hub_domain(call: TokenCall<'_>, tokens: &TokenSet) -> Option<String> {
    let url = call.token_url_child("introspect");
    let form = [
        ("client_id", call.client_id),
        ("client_secret", call.secret_text()),
        ("token", tokens.access_token.expose_secret()),
        ("token_type_hint", "access_token"),
    ];
    let v = call.json_or_none(call.http.post(url).form(&form)).await?;
    v.get("hub_domain")
        .and_then(Value::as_str)
        .map(str::to_string)
        .or_else(|| v.get("hub_id").map(crate::oauth::value_text))
}

/// Revokes the refresh token (or, without one, the access token).
pub(super) async fn revoke(
    call: TokenCall<'_>,
    refresh_token: Option<&SecretString>,
    access_token: Option<&SecretString>,
) -> Result<bool> {
    let Some(token) = refresh_token.or(access_token) else {
        return Ok(false);
    };
    let hint = if refresh_token.is_some() {
        "refresh_token"
    } else {
        "access_token"
    };
    let form = [
        ("client_id", call.client_id),
        ("client_secret", call.secret_text()),
        ("token", token.expose_secret()),
        ("token_type_hint", hint),
    ];
    let response = call
        .http
        .post(call.token_url_child("revoke"))
        .form(&form)
        .send()
        .await;
    call.revocation_result(response).await
}
