//! The shell's one error type: what crosses IPC as `{code, message}`.

use junction_core::ErrorCode;
use serde::Serialize;

/// An error as the UI sees it: a stable `code` to branch on and a `message` to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type, thiserror::Error)]
#[error("{message}")]
pub struct IpcError {
    pub code: ErrorCode,
    pub message: String,
}

impl IpcError {
    /// The message passes through the redactor: an error may quote what a provider
    /// sent back, tokens included, and the page must never see a secret.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        let message = message.into();
        IpcError {
            code,
            message: junction_core::redact::redact(&message).into_owned(),
        }
    }
}

impl From<junction_core::Error> for IpcError {
    fn from(err: junction_core::Error) -> Self {
        IpcError::new(err.code(), err.to_string())
    }
}

impl From<tauri::Error> for IpcError {
    fn from(err: tauri::Error) -> Self {
        IpcError::new(ErrorCode::Internal, err.to_string())
    }
}

pub type IpcResult<T> = Result<T, IpcError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_as_code_and_message() {
        let err: IpcError = junction_core::Error::PortInUse { port: 8000 }.into();
        let json = serde_json::to_value(&err).unwrap();
        assert_eq!(json["code"], "port_in_use");
        assert!(json["message"].as_str().unwrap().contains("8000"));
        assert_eq!(json.as_object().unwrap().len(), 2);
    }

    #[test]
    fn secrets_in_a_message_never_cross_ipc() {
        let err: IpcError = junction_core::Error::ProviderResponse {
            provider: "Airtable".into(),
            endpoint: "/oauth2/v1/token".into(),
            reason: "echoed grant_type=refresh_token&refresh_token=na1-xyz-secret".into(),
        }
        .into();
        assert!(!err.message.contains("na1-xyz-secret"), "{}", err.message);
        assert!(err.message.contains("Airtable"), "{}", err.message);
        let err = IpcError::new(ErrorCode::Internal, "GET /cb?code=4/0Ab-xy_z&state=s");
        assert!(!err.message.contains("4/0Ab-xy_z"), "{}", err.message);
    }
}
