//! Where Junction keeps things: a TTL cache ([`Kv`]: Redis or embedded), secrets
//! ([`Secrets`]: OS keychain, a 0600 file, or memory), and the item store
//! ([`items::ItemStore`]: every loaded item, in SQLite).

pub mod items;
mod keys;
mod kv;
mod kv_memory;
mod kv_redis;
mod secrets;

pub use keys::{KeyKind, Keys};
pub use kv::Kv;
pub use kv_memory::MemoryKv;
pub use kv_redis::RedisKv;
pub use secrets::{
    FileBackend, KeyringBackend, MemoryBackend, SecretBackend, SecretName, Secrets, SECRETS_FILE,
};
