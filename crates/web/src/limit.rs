//! A limit on what one address may send to the public forms (objections to notices, later
//! complaints): at most `max` submissions per address in a sliding window, without CAPTCHAs.
//! Kept in memory: a restart forgets it, which only ever lets more through.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Submissions per address per window.
#[derive(Debug)]
pub struct RateLimit {
    max: usize,
    window: Duration,
    hits: Mutex<HashMap<Option<IpAddr>, Vec<Instant>>>,
}

impl Default for RateLimit {
    /// Ten submissions per address per hour.
    fn default() -> Self {
        RateLimit::new(10, Duration::from_secs(3600))
    }
}

impl RateLimit {
    pub fn new(max: usize, window: Duration) -> Self {
        RateLimit {
            max,
            window,
            hits: Mutex::new(HashMap::new()),
        }
    }

    /// Counts a submission from `addr` (unknown addresses share one allowance) and says whether
    /// it is within the limit.
    pub fn allow(&self, addr: Option<IpAddr>, now: Instant) -> bool {
        let mut hits = match self.hits.lock() {
            Ok(h) => h,
            Err(poisoned) => poisoned.into_inner(),
        };
        // Forget old entries once in a while so the map does not grow without end.
        if hits.len() > 10_000 {
            let window = self.window;
            hits.retain(|_, v| v.iter().any(|t| now.duration_since(*t) < window));
        }
        let mine = hits.entry(addr).or_default();
        mine.retain(|t| now.duration_since(*t) < self.window);
        if mine.len() >= self.max {
            return false;
        }
        mine.push(now);
        true
    }
}

/// The client's address, when the server was started with connection info.
pub fn client_addr(extensions: &axum::http::Extensions) -> Option<IpAddr> {
    extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_refused_past_its_allowance_until_the_window_moves_on() {
        let limit = RateLimit::new(2, Duration::from_secs(60));
        let a: Option<IpAddr> = "10.0.0.1".parse().ok();
        let b: Option<IpAddr> = "10.0.0.2".parse().ok();
        let t0 = Instant::now();
        assert!(limit.allow(a, t0));
        assert!(limit.allow(a, t0));
        assert!(!limit.allow(a, t0), "a third within the window");
        assert!(limit.allow(b, t0), "another address has its own allowance");
        assert!(
            limit.allow(a, t0 + Duration::from_secs(61)),
            "the window moved on"
        );
    }
}
