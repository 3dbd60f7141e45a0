//! One Kv suite, run against the embedded store and a real redis-server.
//! `make test` starts the server and sets REDIS_URL; without it the Redis half says it
//! was skipped (and fails when JUNCTION_REQUIRE_SERVICES=1, as `make test` sets).

use std::time::{Duration, Instant};

use junction_core::config::{Config, FileConfig};
use junction_core::store::{KeyKind, Keys, Kv, MemoryKv};
use junction_core::ProviderId;

fn unique_keys() -> Keys {
    let run = format!("t{}-{}", std::process::id(), rand_suffix());
    Keys::new("test-org", run)
}

fn rand_suffix() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(Instant::now().elapsed().as_nanos() as u64);
    h.finish()
}

fn config_with(env: Vec<(&'static str, String)>) -> Config {
    let lookup = move |name: &str| env.iter().find(|(k, _)| *k == name).map(|(_, v)| v.clone());
    Config::resolve(std::env::temp_dir(), FileConfig::default(), &lookup).unwrap()
}

async fn redis_kv() -> Option<Kv> {
    let Ok(url) = std::env::var("REDIS_URL") else {
        if std::env::var("JUNCTION_REQUIRE_SERVICES").is_ok() {
            panic!("REDIS_URL is not set but JUNCTION_REQUIRE_SERVICES is");
        }
        eprintln!("skipped: REDIS_URL not set (make test starts a redis-server and sets it)");
        return None;
    };
    let config = config_with(vec![("REDIS_URL", url)]);
    let kv = Kv::open(&config, None)
        .await
        .expect("the test redis-server answers");
    assert!(kv.is_redis());
    assert!(kv.label().starts_with("Cache: Redis at 127.0.0.1:"));
    Some(kv)
}

/// The behaviour both backends must share.
async fn suite(kv: Kv) {
    let keys = unique_keys();
    let k = |kind, id: Option<&str>| keys.key(ProviderId::Hubspot, kind, id);
    let flow = k(KeyKind::Flow, Some("state-1"));

    // set_ex / get / ttl
    assert_eq!(kv.get(&flow).await.unwrap(), None);
    kv.set_ex(&flow, "{\"v\":1}", Duration::from_secs(600))
        .await
        .unwrap();
    assert_eq!(kv.get(&flow).await.unwrap().as_deref(), Some("{\"v\":1}"));
    let ttl = kv.ttl(&flow).await.unwrap().expect("every key has a TTL");
    assert!(
        ttl <= Duration::from_secs(600) && ttl > Duration::from_secs(590),
        "{ttl:?}"
    );

    // get_del is single use
    assert_eq!(
        kv.get_del(&flow).await.unwrap().as_deref(),
        Some("{\"v\":1}")
    );
    assert_eq!(kv.get_del(&flow).await.unwrap(), None);
    assert_eq!(kv.get(&flow).await.unwrap(), None);

    // TTL is honoured
    let short = k(KeyKind::AccessToken, None);
    kv.set_ex(&short, "x", Duration::from_millis(200))
        .await
        .unwrap();
    assert!(kv.get(&short).await.unwrap().is_some());
    tokio::time::sleep(Duration::from_millis(350)).await;
    assert_eq!(kv.get(&short).await.unwrap(), None, "expired keys are gone");

    // set_nx is a lock: the second caller loses until the first releases or it expires
    let lock = k(KeyKind::RefreshLock, None);
    assert!(kv
        .set_nx(&lock, "owner-a", Duration::from_secs(5))
        .await
        .unwrap());
    assert!(!kv
        .set_nx(&lock, "owner-b", Duration::from_secs(5))
        .await
        .unwrap());
    assert!(
        !kv.del_if_eq(&lock, "owner-b").await.unwrap(),
        "only the owner releases"
    );
    assert!(kv.del_if_eq(&lock, "owner-a").await.unwrap());
    assert!(kv
        .set_nx(&lock, "owner-b", Duration::from_millis(150))
        .await
        .unwrap());
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        kv.set_nx(&lock, "owner-c", Duration::from_secs(5))
            .await
            .unwrap(),
        "an expired lock is free"
    );

    // del and del_prefix touch only this org/user's keys
    let other =
        Keys::new("other-org", "someone").key(ProviderId::Hubspot, KeyKind::Flow, Some("x"));
    kv.set_ex(&other, "keep", Duration::from_secs(60))
        .await
        .unwrap();
    kv.set_ex(&k(KeyKind::Flow, Some("a")), "1", Duration::from_secs(60))
        .await
        .unwrap();
    kv.set_ex(&k(KeyKind::Flow, Some("b")), "2", Duration::from_secs(60))
        .await
        .unwrap();
    kv.del(&k(KeyKind::Flow, Some("a"))).await.unwrap();
    assert_eq!(kv.get(&k(KeyKind::Flow, Some("a"))).await.unwrap(), None);
    let removed = kv.del_prefix(&keys.prefix()).await.unwrap();
    assert_eq!(removed, 2, "flow b and the lock");
    assert_eq!(kv.get(&other).await.unwrap().as_deref(), Some("keep"));
    kv.del(&other).await.unwrap();

    // values survive unicode and JSON
    let v = k(KeyKind::Flow, Some("u"));
    kv.set_ex(&v, "名前 ✓ \"q\"", Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(kv.get(&v).await.unwrap().as_deref(), Some("名前 ✓ \"q\""));
    kv.del(&v).await.unwrap();
    kv.ping().await.unwrap();
}

#[tokio::test]
async fn embedded_store_passes_the_suite() {
    let kv = Kv::Memory(MemoryKv::new());
    assert_eq!(kv.label(), "Cache: embedded");
    suite(kv).await;
}

#[tokio::test]
async fn redis_passes_the_suite() {
    if let Some(kv) = redis_kv().await {
        suite(kv).await;
    }
}

#[tokio::test]
async fn a_redis_that_refuses_fails_fast_and_clearly() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = config_with(vec![(
        "REDIS_URL",
        format!("redis://:pw-123@127.0.0.1:{port}"),
    )]);
    let started = Instant::now();
    let err = Kv::open(&config, None)
        .await
        .err()
        .expect("nothing listens there");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(err.code(), "cache_unavailable");
    let text = err.to_string();
    assert!(text.contains(&format!("127.0.0.1:{port}")), "{text}");
    assert!(!text.contains("pw-123"), "no password in errors: {text}");
}

#[tokio::test]
async fn a_redis_that_never_answers_fails_within_3_s() {
    // Accepts connections and says nothing: a hung server, not a refused port.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let hold = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let config = config_with(vec![("REDIS_URL", format!("redis://127.0.0.1:{port}"))]);
    let started = Instant::now();
    let err = Kv::open(&config, None)
        .await
        .err()
        .expect("a silent server is unavailable");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(err.code(), "cache_unavailable");
    hold.abort();
}
