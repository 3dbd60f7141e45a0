//! Talking to a provider's OAuth endpoints: the authorize URL, code exchange,
//! refresh, revocation and the account name.
//!
//! HubSpot and Airtable (form-body token endpoints) go through the `oauth2` crate;
//! Notion's JSON token endpoint through reqwest. The token HTTP client never follows
//! redirects.

use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::Arc;

use base64::Engine as _;
use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, Client, ClientId, ClientSecret, CsrfToken,
    EndpointNotSet, EndpointSet, ExtraTokenFields, PkceCodeChallenge, PkceCodeVerifier,
    RedirectUrl, RefreshToken, RequestTokenError, Scope, StandardRevocableToken,
    StandardTokenResponse, TokenResponse, TokenUrl,
};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use url::Url;

use super::spec::{spec, TokenStyle};
use crate::config::ProviderEndpoints;
use crate::{Error, ProviderId, Result};

/// What a token endpoint gave us.
pub struct TokenSet {
    pub access_token: SecretString,
    pub refresh_token: Option<SecretString>,
    pub expires_in: Option<u64>,
    pub scopes: Vec<String>,
    /// HubSpot's portal id (`hub_id`).
    pub portal_id: Option<String>,
    /// Notion's workspace name.
    pub workspace_name: Option<String>,
}

/// What a standard (HubSpot, Airtable) token response gives.
fn token_set(token: &TokenResponseWithExtras) -> TokenSet {
    let extra = token.extra_fields();
    let mut scopes: Vec<String> = token
        .scopes()
        .map(|s| s.iter().map(|s| s.to_string()).collect())
        .unwrap_or_default();
    if scopes.is_empty() {
        scopes = extra.scopes.clone().unwrap_or_default();
    }
    TokenSet {
        access_token: SecretString::from(token.access_token().secret().to_string()),
        refresh_token: token
            .refresh_token()
            .map(|t| SecretString::from(t.secret().to_string())),
        expires_in: token.expires_in().map(|d| d.as_secs()),
        scopes,
        portal_id: extra.hub_id.as_ref().map(value_text),
        workspace_name: None,
    }
}

/// A standard token response body read as the OAuth client reads it (JSON into
/// oauth2's token response with HubSpot's and Airtable's extra fields); `None` when it
/// is not one. For the fuzzer: the client itself gets it parsed from oauth2.
pub fn parse_token_response(body: &[u8]) -> Option<TokenSet> {
    serde_json::from_slice::<TokenResponseWithExtras>(body)
        .ok()
        .map(|t| token_set(&t))
}

/// Why a JSON token response gave no tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JsonTokenError {
    /// `invalid_grant`: the user must connect again.
    Refused(String),
    /// Anything else, said in a line.
    Other(String),
}

/// Reads a JSON token endpoint's answer (Notion's): the tokens of a 2xx, or why not.
pub fn json_token_set(status: u16, body: &[u8]) -> std::result::Result<TokenSet, JsonTokenError> {
    let value: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    if !(200..300).contains(&status) {
        let code = value.get("error").and_then(Value::as_str).unwrap_or("");
        let detail = value
            .get("error_description")
            .or_else(|| value.get("message"))
            .and_then(Value::as_str);
        let message = match (code, detail) {
            ("", Some(d)) => d.to_string(),
            ("", None) => format!("HTTP {status}"),
            (c, Some(d)) => format!("{c}: {d}"),
            (c, None) => c.to_string(),
        };
        return Err(if code == "invalid_grant" {
            JsonTokenError::Refused(message)
        } else {
            JsonTokenError::Other(message)
        });
    }
    let access = value
        .get("access_token")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| JsonTokenError::Other("the response has no access_token".into()))?;
    Ok(TokenSet {
        access_token: SecretString::from(access.to_string()),
        refresh_token: value
            .get("refresh_token")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .map(|t| SecretString::from(t.to_string())),
        expires_in: value.get("expires_in").and_then(Value::as_u64),
        scopes: Vec::new(),
        portal_id: None,
        workspace_name: value
            .get("workspace_name")
            .and_then(Value::as_str)
            .map(str::to_string),
    })
}

/// The provider-specific fields of HubSpot's and Airtable's token responses.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct ExtraFields {
    #[serde(default)]
    hub_id: Option<Value>,
    #[serde(default)]
    scopes: Option<Vec<String>>,
    #[serde(default)]
    refresh_expires_in: Option<u64>,
}
impl ExtraTokenFields for ExtraFields {}

type TokenResponseWithExtras = StandardTokenResponse<ExtraFields, BasicTokenType>;
type OAuthClient = Client<
    BasicErrorResponse,
    TokenResponseWithExtras,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// Why a token call failed, before it becomes a user-facing error.
#[derive(Debug)]
pub enum TokenFailure {
    /// The provider refused the grant (`invalid_grant`; for Airtable also
    /// `invalid_client` on refresh): the user must connect again.
    Refused(String),
    /// Airtable's 409: a refresh raced another one.
    Conflict,
    Other(Error),
}

/// One provider's OAuth client, ready to use.
pub struct ProviderClient {
    pub provider: ProviderId,
    client_id: String,
    secret: Option<SecretString>,
    endpoints: ProviderEndpoints,
    redirect_uri: String,
    http: reqwest::Client,
}

impl ProviderClient {
    pub fn new(
        provider: ProviderId,
        client_id: String,
        secret: Option<SecretString>,
        endpoints: ProviderEndpoints,
        redirect_uri: String,
    ) -> Result<Self> {
        Ok(ProviderClient {
            provider,
            client_id,
            secret,
            endpoints,
            redirect_uri,
            http: crate::http::token_client()?,
        })
    }

    fn oauth(&self) -> Result<OAuthClient> {
        let bad = |what: &str, e: String| {
            Error::config(format!("{} {what}", self.provider.display_name()), e)
        };
        let mut client = Client::new(ClientId::new(self.client_id.clone()))
            .set_auth_uri(
                AuthUrl::new(self.endpoints.auth_url.to_string())
                    .map_err(|e| bad("auth URL", e.to_string()))?,
            )
            .set_token_uri(
                TokenUrl::new(self.endpoints.token_url.to_string())
                    .map_err(|e| bad("token URL", e.to_string()))?,
            )
            .set_redirect_uri(
                RedirectUrl::new(self.redirect_uri.clone())
                    .map_err(|e| bad("redirect URI", e.to_string()))?,
            );
        if let Some(secret) = &self.secret {
            client =
                client.set_client_secret(ClientSecret::new(secret.expose_secret().to_string()));
        }
        let auth_type = match spec(self.provider).token_style {
            TokenStyle::FormWithCredentialsInBody => AuthType::RequestBody,
            // With no secret oauth2 sends client_id in the body; with one, Basic.
            TokenStyle::FormWithBasicIfSecret if self.secret.is_none() => AuthType::RequestBody,
            _ => AuthType::BasicAuth,
        };
        Ok(client.set_auth_type(auth_type))
    }

    /// The sign-in URL for `state` (and the PKCE challenge, where the provider takes one).
    pub fn authorize_url(&self, state: &str, challenge: Option<PkceCodeChallenge>) -> Result<Url> {
        let s = spec(self.provider);
        let client = self.oauth()?;
        let state = state.to_string();
        let mut request = client.authorize_url(move || CsrfToken::new(state));
        for scope in s.scopes {
            request = request.add_scope(Scope::new(scope.to_string()));
        }
        for (k, v) in s.extra_authorize_params {
            request = request.add_extra_param(*k, *v);
        }
        if let Some(challenge) = challenge {
            request = request.set_pkce_challenge(challenge);
        }
        Ok(request.url().0)
    }

    /// Exchanges an authorization code for tokens.
    pub async fn exchange_code(&self, code: &str, verifier: Option<&str>) -> Result<TokenSet> {
        let result = match spec(self.provider).token_style {
            TokenStyle::JsonWithBasic => {
                self.json_token(json!({
                    "grant_type": "authorization_code",
                    "code": code,
                    "redirect_uri": self.redirect_uri,
                }))
                .await
            }
            _ => {
                let client = self.oauth()?;
                let mut request = client.exchange_code(AuthorizationCode::new(code.to_string()));
                if let Some(v) = verifier {
                    request = request.set_pkce_verifier(PkceCodeVerifier::new(v.to_string()));
                }
                let status = Arc::new(AtomicU16::new(0));
                let response = request.request_async(&self.transport(status.clone())).await;
                self.token_result(response, status.load(Ordering::Relaxed))
            }
        };
        result.map_err(|f| match f {
            TokenFailure::Refused(reason) => self.token_error(reason),
            TokenFailure::Conflict => self.token_error("the provider answered 409 Conflict".into()),
            TokenFailure::Other(e) => e,
        })
    }

    /// Uses a refresh token. Rotating providers answer with a new refresh token too.
    pub async fn refresh(
        &self,
        refresh_token: &SecretString,
    ) -> std::result::Result<TokenSet, TokenFailure> {
        match spec(self.provider).token_style {
            TokenStyle::JsonWithBasic => {
                self.json_token(json!({
                    "grant_type": "refresh_token",
                    "refresh_token": refresh_token.expose_secret(),
                }))
                .await
            }
            _ => {
                let client = self.oauth().map_err(TokenFailure::Other)?;
                let token = RefreshToken::new(refresh_token.expose_secret().to_string());
                let status = Arc::new(AtomicU16::new(0));
                let response = client
                    .exchange_refresh_token(&token)
                    .request_async(&self.transport(status.clone()))
                    .await;
                self.token_result(response, status.load(Ordering::Relaxed))
            }
        }
    }

    fn token_error(&self, reason: String) -> Error {
        Error::OAuthToken {
            provider: self.provider.display_name().to_string(),
            reason,
        }
    }

    /// oauth2's async HTTP client, over our reqwest client, noting the status code
    /// (oauth2 hides it, and Airtable's 409 means "raced", not "refused").
    fn transport(
        &self,
        status: Arc<AtomicU16>,
    ) -> impl Fn(
        oauth2::HttpRequest,
    ) -> std::pin::Pin<
        Box<
            dyn std::future::Future<
                    Output = std::result::Result<oauth2::HttpResponse, TransportError>,
                > + Send,
        >,
    > + '_ {
        move |request: oauth2::HttpRequest| {
            let http = self.http.clone();
            let status = status.clone();
            Box::pin(async move {
                let (parts, body) = request.into_parts();
                let response = http
                    .request(parts.method, parts.uri.to_string())
                    .headers(parts.headers)
                    .body(body)
                    .send()
                    .await
                    .map_err(|e| TransportError(crate::http::describe(&e)))?;
                status.store(response.status().as_u16(), Ordering::Relaxed);
                let mut builder = oauth2::http::Response::builder().status(response.status());
                for (name, value) in response.headers() {
                    builder = builder.header(name, value);
                }
                let bytes = capped_body(response).await.map_err(TransportError)?;
                builder
                    .body(bytes)
                    .map_err(|e| TransportError(e.to_string()))
            })
        }
    }

    fn token_result(
        &self,
        response: std::result::Result<
            TokenResponseWithExtras,
            RequestTokenError<TransportError, BasicErrorResponse>,
        >,
        status: u16,
    ) -> std::result::Result<TokenSet, TokenFailure> {
        match response {
            Ok(token) => Ok(token_set(&token)),
            Err(_) if status == 409 => Err(TokenFailure::Conflict),
            Err(RequestTokenError::ServerResponse(err)) => {
                let code = err.error().as_ref().to_string();
                let text = match err.error_description() {
                    Some(d) => format!("{code}: {d}"),
                    None => code.clone(),
                };
                let refused = code == "invalid_grant"
                    || (self.provider == ProviderId::Airtable && code == "invalid_client");
                if refused {
                    Err(TokenFailure::Refused(text))
                } else {
                    Err(TokenFailure::Other(self.token_error(text)))
                }
            }
            Err(RequestTokenError::Request(e)) => Err(TokenFailure::Other(Error::Network {
                target: host_of(&self.endpoints.token_url),
                reason: e.0,
            })),
            Err(RequestTokenError::Parse(_, body)) => {
                // HubSpot's v1-style errors have no `error` field: read its message.
                let parsed: Option<Value> = serde_json::from_slice(&body).ok();
                let message = parsed
                    .as_ref()
                    .and_then(|v| {
                        let status = v.get("status").and_then(Value::as_str);
                        let msg = v.get("message").and_then(Value::as_str);
                        match (status, msg) {
                            (Some(s), Some(m)) => Some(format!("{s}: {m}")),
                            (None, Some(m)) => Some(m.to_string()),
                            _ => None,
                        }
                    })
                    .unwrap_or_else(|| format!("HTTP {status}: an unreadable response"));
                if message.contains("BAD_REFRESH_TOKEN") {
                    Err(TokenFailure::Refused(message))
                } else {
                    Err(TokenFailure::Other(self.token_error(message)))
                }
            }
            Err(RequestTokenError::Other(e)) => Err(TokenFailure::Other(self.token_error(e))),
        }
    }

    /// A JSON token endpoint (Notion's): HTTP Basic and a JSON body.
    async fn json_token(&self, body: Value) -> std::result::Result<TokenSet, TokenFailure> {
        let mut request = self.http.post(self.endpoints.token_url.clone()).json(&body);
        if let Some(auth) = self.call().basic_auth() {
            request = request.header(reqwest::header::AUTHORIZATION, auth);
        }
        let response = request.send().await.map_err(|e| {
            TokenFailure::Other(Error::Network {
                target: host_of(&self.endpoints.token_url),
                reason: crate::http::describe(&e),
            })
        })?;
        let status = response.status().as_u16();
        let body = capped_body(response)
            .await
            .map_err(|reason| TokenFailure::Other(self.token_error(reason)))?;
        json_token_set(status, &body).map_err(|e| match e {
            JsonTokenError::Refused(message) => TokenFailure::Refused(message),
            JsonTokenError::Other(reason) => TokenFailure::Other(self.token_error(reason)),
        })
    }

    /// What the provider's own calls (account name, revocation) need.
    fn call(&self) -> TokenCall<'_> {
        TokenCall {
            provider: self.provider,
            http: &self.http,
            client_id: &self.client_id,
            client_secret: self.secret.as_ref(),
            endpoints: &self.endpoints,
        }
    }

    /// The name the card shows (HubSpot's hub domain, the Airtable account's e-mail,
    /// Notion's workspace name).
    pub async fn account_name(&self, tokens: &TokenSet) -> Option<String> {
        self.provider.get().account_name(self.call(), tokens).await
    }

    /// Revokes where the provider can; `Ok(false)` when it has no revocation.
    pub async fn revoke(
        &self,
        refresh_token: Option<&SecretString>,
        access_token: Option<&SecretString>,
    ) -> Result<bool> {
        self.provider
            .get()
            .revoke(self.call(), refresh_token, access_token)
            .await
    }
}

/// What a provider's own OAuth calls (beyond code exchange and refresh) are given.
pub struct TokenCall<'a> {
    pub provider: ProviderId,
    pub http: &'a reqwest::Client,
    pub client_id: &'a str,
    pub client_secret: Option<&'a SecretString>,
    pub endpoints: &'a ProviderEndpoints,
}

impl TokenCall<'_> {
    /// The client secret as form text ("" without one).
    pub fn secret_text(&self) -> &str {
        self.client_secret.map_or("", |s| s.expose_secret())
    }

    /// `Authorization: Basic base64(client_id:client_secret)`, when there is a secret.
    pub fn basic_auth(&self) -> Option<String> {
        let secret = self.client_secret?;
        let raw = format!("{}:{}", self.client_id, secret.expose_secret());
        Some(format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(raw)
        ))
    }

    /// `<TOKEN_URL>/<child>` (HubSpot's introspect and revoke).
    pub fn token_url_child(&self, child: &str) -> String {
        format!(
            "{}/{child}",
            self.endpoints.token_url.as_str().trim_end_matches('/')
        )
    }

    /// `<API_URL>/<path>`.
    pub fn api_url(&self, path: &str) -> String {
        api_endpoint(&self.endpoints.api_url, path)
    }

    /// The JSON answer of an account lookup; `None` on any failure (a lookup never
    /// fails a connect: the card then shows no account name).
    pub async fn json_or_none(&self, request: reqwest::RequestBuilder) -> Option<Value> {
        let body = capped_body(request.send().await.ok()?).await.ok()?;
        serde_json::from_slice(&body).ok()
    }

    /// A revocation's answer: 2xx is done, anything else an error naming the status.
    pub async fn revocation_result(
        &self,
        response: reqwest::Result<reqwest::Response>,
    ) -> Result<bool> {
        let response = response.map_err(|e| Error::Network {
            target: host_of(&self.endpoints.token_url),
            reason: crate::http::describe(&e),
        })?;
        if response.status().is_success() {
            Ok(true)
        } else {
            Err(Error::OAuthToken {
                provider: self.provider.display_name().to_string(),
                reason: format!("revocation answered HTTP {}", response.status().as_u16()),
            })
        }
    }
}

/// A token endpoint's (or account lookup's) body, at most [`crate::http::MAX_TOKEN_BODY`];
/// the error says why not.
async fn capped_body(response: reqwest::Response) -> std::result::Result<Vec<u8>, String> {
    crate::http::read_body(response, crate::http::MAX_TOKEN_BODY)
        .await
        .map_err(|e| match e {
            crate::http::BodyError::TooLarge(reason) => reason,
            crate::http::BodyError::Read(e) => crate::http::describe(&e),
        })
}

/// A transport failure, as oauth2 wants it (an std error).
#[derive(Debug)]
pub struct TransportError(String);

impl std::fmt::Display for TransportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for TransportError {}

/// `base` + `path`, keeping any path the base has (a proxy or a test server may put
/// the API under a prefix; `Url::join` would drop its last segment).
pub fn api_endpoint(base: &Url, path: &str) -> String {
    format!(
        "{}/{}",
        base.as_str().trim_end_matches('/'),
        path.trim_start_matches('/')
    )
}

fn host_of(url: &Url) -> String {
    url.host_str().unwrap_or("the provider").to_string()
}

pub(crate) fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
