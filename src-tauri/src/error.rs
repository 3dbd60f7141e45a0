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
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        IpcError {
            code,
            message: message.into(),
        }
    }
}

impl From<junction_core::Error> for IpcError {
    fn from(err: junction_core::Error) -> Self {
        IpcError {
            code: err.code(),
            message: err.to_string(),
        }
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
}
