//! The authorize step and code redemption, shared by the three fakes; each provider's
//! differences (PKCE required, `owner=user`, state rules) are parameters.
//!
//! The fake "user" approves at once: authorize answers 302 to the redirect URI with
//! `code` and `state`, or with `error=access_denied` when the test asked for a denial.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::{get, MethodRouter};

use super::respond::{error_page, redirect, s256, token_chars};
use super::server::Fake;
use super::tokens::CodeGrant;
use junction_core::ProviderId;

/// The `GET …/authorize` route of `provider`.
pub(crate) fn authorize_route(provider: ProviderId) -> MethodRouter<Arc<Fake>> {
    get(
        move |State(fake): State<Arc<Fake>>, Query(q): Query<HashMap<String, String>>| async move {
            authorize(&fake, provider, &q)
        },
    )
}

/// Handles `GET …/authorize` for `provider`.
fn authorize(fake: &Fake, provider: ProviderId, q: &HashMap<String, String>) -> Response {
    let get = |k: &str| q.get(k).map(String::as_str).filter(|v| !v.is_empty());
    let Some(app) = fake.app(provider) else {
        return error_page("this provider has no app registered");
    };
    if get("client_id") != Some(app.client_id.as_str()) {
        // No redirect: the provider cannot trust the redirect URI of an unknown client.
        return error_page("invalid client_id");
    }
    let redirect_uri = match get("redirect_uri") {
        Some(uri) if app.redirect_uris.iter().any(|r| r == uri) => uri.to_string(),
        Some(_) => return error_page("redirect_uri does not match a registered redirect URI"),
        // Notion may leave it out when exactly one URI is registered.
        None if provider == ProviderId::Notion && app.redirect_uris.len() == 1 => {
            app.redirect_uris[0].clone()
        }
        None => return error_page("redirect_uri is required"),
    };
    let state = get("state").unwrap_or("");
    let fail = |error: &str, description: &str| {
        redirect(
            &redirect_uri,
            &[
                ("error", error),
                ("error_description", description),
                ("state", state),
            ],
        )
    };

    if provider != ProviderId::Hubspot && get("response_type") != Some("code") {
        return fail("unsupported_response_type", "response_type must be code");
    }
    if provider == ProviderId::Notion && get("owner") != Some("user") {
        return fail("invalid_request", "owner must be user");
    }
    let scopes: Vec<String> = get("scope")
        .unwrap_or("")
        .split_whitespace()
        .map(str::to_string)
        .collect();
    let mut scopes = scopes;
    // HubSpot's `optional_scope`: granted when the portal can (custom objects need an
    // Enterprise portal), silently dropped otherwise.
    if provider == ProviderId::Hubspot {
        for scope in get("optional_scope").unwrap_or("").split_whitespace() {
            let custom = scope.contains(".custom.");
            if (!custom || fake.config.hubspot_custom_scopes) && !scopes.iter().any(|s| s == scope)
            {
                scopes.push(scope.to_string());
            }
        }
    }
    if provider != ProviderId::Notion && scopes.is_empty() {
        return fail("invalid_scope", "at least one scope is required");
    }
    if provider == ProviderId::Airtable && !token_chars(state, 16, 1024, &[]) {
        return fail(
            "invalid_request",
            "state must be 16 to 1024 characters of [A-Za-z0-9._-]",
        );
    }
    let challenge = match (
        provider,
        get("code_challenge"),
        get("code_challenge_method"),
    ) {
        (ProviderId::Notion, _, _) => None,
        (_, Some(c), Some("S256")) => Some((c.to_string(), "S256".to_string())),
        (_, Some(_), _) => return fail("invalid_request", "code_challenge_method must be S256"),
        (ProviderId::Airtable, None, _) => {
            return fail("invalid_request", "code_challenge is required")
        }
        (_, None, _) => None,
    };
    if fake.settings.lock().deny.contains(&provider) {
        // Notion's cancel sends only error and state.
        return if provider == ProviderId::Notion {
            redirect(
                &redirect_uri,
                &[("error", "access_denied"), ("state", state)],
            )
        } else {
            fail("access_denied", "The user denied the request")
        };
    }
    let code = fake.tokens.lock().issue_code(CodeGrant {
        provider,
        client_id: app.client_id.clone(),
        redirect_uri: get("redirect_uri").map(str::to_string),
        challenge,
        scopes,
        issued: Instant::now(),
    });
    redirect(&redirect_uri, &[("code", &code), ("state", state)])
}

/// Why a code was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CodeError {
    Unknown,
    Expired,
    RedirectMismatch,
    Verifier(&'static str),
}

/// Redeems `code` (single use: it is gone after this call, whatever the outcome).
/// The code grant of a form-encoded token request (HubSpot's, Airtable's); `None` for
/// another grant type. Called before anything else is checked: a code is single use
/// even when the request fails.
pub(crate) fn redeem_form(
    fake: &Fake,
    provider: ProviderId,
    form: &std::collections::HashMap<String, String>,
) -> Option<Result<CodeGrant, CodeError>> {
    let field = |k: &str| form.get(k).map(String::as_str);
    (field("grant_type") == Some("authorization_code")).then(|| {
        redeem(
            fake,
            provider,
            field("code"),
            field("redirect_uri"),
            field("code_verifier"),
        )
    })
}

pub(crate) fn redeem(
    fake: &Fake,
    provider: ProviderId,
    code: Option<&str>,
    redirect_uri: Option<&str>,
    verifier: Option<&str>,
) -> Result<CodeGrant, CodeError> {
    let grant = code
        .and_then(|c| fake.tokens.lock().take_code(c))
        .filter(|g| g.provider == provider)
        .ok_or(CodeError::Unknown)?;
    if grant.issued.elapsed() >= fake.config.code_ttl {
        return Err(CodeError::Expired);
    }
    let registered = fake
        .app(provider)
        .map(|a| a.redirect_uris.len())
        .unwrap_or(0);
    match (provider, &grant.redirect_uri, redirect_uri) {
        (_, Some(sent), Some(given)) if sent == given => {}
        // Notion: not allowed when exactly one URI is registered and authorize left it out.
        (ProviderId::Notion, None, None) if registered == 1 => {}
        _ => return Err(CodeError::RedirectMismatch),
    }
    if let Some((challenge, _)) = &grant.challenge {
        let verifier = verifier.ok_or(CodeError::Verifier("code_verifier is required"))?;
        if !token_chars(verifier, 43, 128, &['~']) {
            return Err(CodeError::Verifier(
                "code_verifier must be 43 to 128 characters of [A-Za-z0-9._~-]",
            ));
        }
        if s256(verifier) != *challenge {
            return Err(CodeError::Verifier(
                "code_verifier does not match the code_challenge",
            ));
        }
    }
    Ok(grant)
}
