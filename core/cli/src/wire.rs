//! JSON plumbing shared by every command: hex fields, failures, the request/response wrapper.

use crate::{EXIT_REJECTED, EXIT_USAGE};
use pegkit_core::{ErrorCode, hex};
use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Value, json};
use std::fmt::Display;

/// A command's failure: exit status, stable code, human message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// [`EXIT_REJECTED`] or [`EXIT_USAGE`].
    pub exit: u8,
    /// Stable `snake_case` code.
    pub code: &'static str,
    /// Human-readable message.
    pub message: String,
}

impl Failure {
    /// A usage error (exit 2, code `usage`).
    pub fn usage(message: String) -> Self {
        Self {
            exit: EXIT_USAGE,
            code: "usage",
            message,
        }
    }

    /// A rejection (exit 1) from a core error.
    pub fn rejected<E: ErrorCode + Display>(err: &E) -> Self {
        Self {
            exit: EXIT_REJECTED,
            code: err.code(),
            message: err.to_string(),
        }
    }

    /// A rejection (exit 1) with a given code and message.
    pub fn reject(code: &'static str, message: String) -> Self {
        Self {
            exit: EXIT_REJECTED,
            code,
            message,
        }
    }

    /// The contract's error object.
    pub fn to_json(&self) -> Value {
        json!({"error": {"code": self.code, "message": self.message}})
    }
}

/// Parses `request` into the command's request type (unknown, missing or mistyped fields and
/// malformed hex are usage errors), runs it, and serializes the response.
pub(crate) fn handle<Req, Resp>(
    request: Value,
    f: fn(Req) -> Result<Resp, Failure>,
) -> Result<Value, Failure>
where
    Req: DeserializeOwned,
    Resp: Serialize,
{
    let req = serde_json::from_value::<Req>(request)
        .map_err(|e| Failure::usage(format!("request: {e}")))?;
    let resp = f(req)?;
    serde_json::to_value(resp).map_err(|e| Failure::reject("internal", e.to_string()))
}

/// Bytes given as hex (either case). Malformed hex is a usage error; length is checked by the
/// command (a wrong length is `invalid_length`, exit 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Hex(pub Vec<u8>);

impl<'de> Deserialize<'de> for Hex {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        hex::decode(&s).map(Hex).map_err(D::Error::custom)
    }
}

impl Hex {
    /// Exactly `N` bytes, or `invalid_length` naming the field.
    pub(crate) fn array<const N: usize>(&self, field: &str) -> Result<[u8; N], Failure> {
        <[u8; N]>::try_from(self.0.as_slice()).map_err(|_| {
            Failure::reject(
                "invalid_length",
                format!("{field} must be {N} bytes, got {}", self.0.len()),
            )
        })
    }
}
