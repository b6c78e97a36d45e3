//! Sign-in back-off: after repeated failures, a login name and a client address must wait
//! before the next attempt, longer after each failure, at most a minute. Nothing is locked:
//! a stranger can no longer lock an account (the administrator's included) by typing wrong
//! passwords, and known and unknown logins are answered alike (429 with `Retry-After`, or 401).
//! Kept in memory: a restart forgets it, which only ever lets an attempt through sooner.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures of one login name before it must wait.
pub const FREE_PER_LOGIN: u32 = 3;
/// Failures from one client address before it must wait (higher: behind a carrier's NAT many
/// people share one address).
pub const FREE_PER_ADDRESS: u32 = 10;
/// The longest wait.
pub const MAX_WAIT: Duration = Duration::from_secs(60);
/// A name or address without failure for this long starts again from nothing.
const FORGET_AFTER: Duration = Duration::from_secs(15 * 60);

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Login(String),
    Address(IpAddr),
}

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last: Instant,
}

/// The wait after `count` failures when `free` are allowed: none up to `free`, then 1, 2, 4...
/// seconds, at most [`MAX_WAIT`].
pub fn wait_after(count: u32, free: u32) -> Duration {
    if count < free {
        return Duration::ZERO;
    }
    let exp = (count - free).min(16);
    Duration::from_secs(1u64 << exp).min(MAX_WAIT)
}

/// Failed sign-ins per login name and per client address.
#[derive(Debug, Default)]
pub struct LoginThrottle {
    failures: Mutex<HashMap<Key, Failures>>,
}

fn login_key(login: &str) -> Key {
    Key::Login(login.trim().to_lowercase())
}

impl LoginThrottle {
    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Failures>> {
        match self.failures.lock() {
            Ok(m) => m,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    fn remaining(map: &HashMap<Key, Failures>, key: &Key, free: u32, now: Instant) -> Duration {
        map.get(key).map_or(Duration::ZERO, |f| {
            (f.last + wait_after(f.count, free)).saturating_duration_since(now)
        })
    }

    /// How long `login` from `addr` must still wait before an attempt (zero: it may try now).
    pub fn wait(&self, login: &str, addr: Option<IpAddr>, now: Instant) -> Duration {
        let map = self.map();
        let by_login = Self::remaining(&map, &login_key(login), FREE_PER_LOGIN, now);
        let by_addr = addr.map_or(Duration::ZERO, |a| {
            Self::remaining(&map, &Key::Address(a), FREE_PER_ADDRESS, now)
        });
        by_login.max(by_addr)
    }

    /// Records a failed attempt; returns the login's failures in a row.
    pub fn failed(&self, login: &str, addr: Option<IpAddr>, now: Instant) -> u32 {
        let mut map = self.map();
        if map.len() > 100_000 {
            map.retain(|_, f| now.duration_since(f.last) < FORGET_AFTER);
        }
        let mut bump = |key: Key| {
            let f = map.entry(key).or_insert(Failures {
                count: 0,
                last: now,
            });
            if now.duration_since(f.last) >= FORGET_AFTER {
                f.count = 0;
            }
            f.count = f.count.saturating_add(1);
            f.last = now;
            f.count
        };
        if let Some(a) = addr {
            bump(Key::Address(a));
        }
        bump(login_key(login))
    }

    /// A successful sign-in clears the login's failures (not the address's: one valid account
    /// must not reset the back-off of an address trying others).
    pub fn succeeded(&self, login: &str) {
        self.map().remove(&login_key(login));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_grows_and_is_capped_at_a_minute() {
        let waits: Vec<u64> = (0..12).map(|n| wait_after(n, 3).as_secs()).collect();
        assert_eq!(waits, [0, 0, 0, 1, 2, 4, 8, 16, 32, 60, 60, 60]);
        assert_eq!(wait_after(u32::MAX, 3), MAX_WAIT);
    }

    #[test]
    fn a_login_and_an_address_wait_after_their_failures_and_a_success_clears_the_login() {
        let t = LoginThrottle::default();
        let a: Option<IpAddr> = "10.0.0.1".parse().ok();
        let b: Option<IpAddr> = "10.0.0.2".parse().ok();
        let t0 = Instant::now();
        for _ in 0..3 {
            assert_eq!(t.wait("Admin", a, t0), Duration::ZERO);
            t.failed("Admin", a, t0);
        }
        assert_eq!(t.wait("admin", b, t0), Duration::from_secs(1), "same login");
        assert_eq!(
            t.wait("admin", b, t0 + Duration::from_secs(1)),
            Duration::ZERO
        );
        assert_eq!(
            t.wait("other", a, t0),
            Duration::ZERO,
            "address below its free"
        );
        for i in 0..7 {
            t.failed(&format!("guess{i}"), a, t0);
        }
        assert_eq!(
            t.wait("other", a, t0),
            Duration::from_secs(1),
            "address waits"
        );
        t.succeeded("ADMIN");
        assert_eq!(t.wait("admin", b, t0), Duration::ZERO);
        // Forgotten after a quiet quarter of an hour.
        for _ in 0..20 {
            t.failed("x", None, t0);
        }
        assert_eq!(t.wait("x", None, t0), MAX_WAIT);
        t.failed("x", None, t0 + FORGET_AFTER);
        assert_eq!(t.wait("x", None, t0 + FORGET_AFTER), Duration::ZERO);
    }
}
