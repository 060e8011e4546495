//! Leaf certificates by host name, minted on first use and kept (least recently used out) so a
//! client that opens many connections to one host pays for one signature, not one per
//! handshake.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rustls::ServerConfig;

use super::ca::{Authority, CaError};

/// Leaves are minted for 90 days; a cached one is replaced well before that, so a proxy that
/// runs for months never presents an expired certificate.
const REFRESH_AFTER: Duration = Duration::from_secs(30 * 24 * 3600);

/// How many hosts keep their leaf by default.
pub const DEFAULT_BOUND: usize = 1024;

pub struct LeafCache {
    authority: Arc<Authority>,
    bound: usize,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    entries: HashMap<String, Entry>,
    clock: u64,
    hits: u64,
    misses: u64,
}

struct Entry {
    config: Arc<ServerConfig>,
    last_used: u64,
    minted: Instant,
}

/// Cache counters (for the benchmark and tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheStats {
    pub hits: u64,
    pub misses: u64,
    pub entries: usize,
}

impl LeafCache {
    /// A cache keeping at most `bound` leaves (at least one).
    pub fn new(authority: Arc<Authority>, bound: usize) -> LeafCache {
        LeafCache {
            authority,
            bound: bound.max(1),
            inner: Mutex::new(Inner::default()),
        }
    }

    pub fn authority(&self) -> &Authority {
        &self.authority
    }

    /// The server config presenting the leaf for `name` (case and a trailing dot ignored).
    pub fn get(&self, name: &str) -> Result<Arc<ServerConfig>, CaError> {
        let key = name.trim_end_matches('.').to_ascii_lowercase();
        {
            let mut inner = self.lock();
            inner.clock += 1;
            let now = inner.clock;
            if let Some(entry) = inner.entries.get_mut(&key)
                && entry.minted.elapsed() < REFRESH_AFTER
            {
                entry.last_used = now;
                let config = entry.config.clone();
                inner.hits += 1;
                return Ok(config);
            }
            inner.misses += 1;
        }
        // Minted outside the lock: one signature must not hold up every other handshake. Two
        // first connections to one host may both mint; the second simply replaces the first.
        let config = self.authority.server_config(&key)?;
        let mut inner = self.lock();
        if !inner.entries.contains_key(&key) && inner.entries.len() >= self.bound {
            let oldest = inner
                .entries
                .iter()
                .min_by_key(|(_, entry)| entry.last_used)
                .map(|(name, _)| name.clone());
            if let Some(oldest) = oldest {
                inner.entries.remove(&oldest);
            }
        }
        let last_used = inner.clock;
        inner.entries.insert(
            key,
            Entry {
                config: config.clone(),
                last_used,
                minted: Instant::now(),
            },
        );
        Ok(config)
    }

    pub fn stats(&self) -> CacheStats {
        let inner = self.lock();
        CacheStats {
            hits: inner.hits,
            misses: inner.misses,
            entries: inner.entries.len(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves counters, never a broken map: keep going.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache(bound: usize) -> (tempfile::TempDir, LeafCache) {
        let dir = tempfile::tempdir().unwrap();
        super::super::ca::create(dir.path(), false).unwrap();
        let authority = Arc::new(Authority::load(dir.path()).unwrap());
        (dir, LeafCache::new(authority, bound))
    }

    #[test]
    fn a_name_is_minted_once_and_then_served_from_the_cache() {
        let (_dir, cache) = cache(8);
        let first = cache.get("API.openai.com.").unwrap();
        let second = cache.get("api.openai.com").unwrap();
        assert!(Arc::ptr_eq(&first, &second));
        assert_eq!(
            cache.stats(),
            CacheStats {
                hits: 1,
                misses: 1,
                entries: 1
            }
        );
    }

    #[test]
    fn the_least_recently_used_name_goes_first_when_full() {
        let (_dir, cache) = cache(2);
        let a = cache.get("a.test").unwrap();
        cache.get("b.test").unwrap();
        cache.get("a.test").unwrap();
        cache.get("c.test").unwrap();
        assert_eq!(cache.stats().entries, 2);
        assert!(Arc::ptr_eq(&a, &cache.get("a.test").unwrap()), "a was kept");
        let misses = cache.stats().misses;
        cache.get("b.test").unwrap();
        assert_eq!(cache.stats().misses, misses + 1, "b was evicted");
    }

    #[test]
    fn a_name_that_cannot_be_a_certificate_name_is_an_error() {
        let (_dir, cache) = cache(2);
        let err = cache.get("bad name with spaces").unwrap_err();
        assert!(err.to_string().contains("bad name with spaces"), "{err}");
    }
}
