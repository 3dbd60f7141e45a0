//! Notion's OAuth beyond code exchange and refresh: revocation
//! (`POST <API_URL>/v1/oauth/revoke`, HTTP Basic, JSON body).

use secrecy::{ExposeSecret, SecretString};
use serde_json::json;

use crate::oauth::TokenCall;
use crate::Result;

pub(super) async fn revoke(
    call: TokenCall<'_>,
    refresh_token: Option<&SecretString>,
    access_token: Option<&SecretString>,
) -> Result<bool> {
    let Some(token) = access_token.or(refresh_token) else {
        return Ok(false);
    };
    let mut request = call
        .http
        .post(call.api_url("v1/oauth/revoke"))
        .json(&json!({"token": token.expose_secret()}));
    if let Some(auth) = call.basic_auth() {
        request = request.header(reqwest::header::AUTHORIZATION, auth);
    }
    call.revocation_result(request.send().await).await
}
