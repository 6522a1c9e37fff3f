//! The per-address rate limit of logins (CR 1.11, and finding 3 of issue 15): each client
//! address has a bucket of [`BURST`] logins that refills by one every [`REFILL_SECS`]
//! seconds. Together with the per-name lockout ([`crate::auth::login`]) and the Argon2
//! slots ([`crate::state::ARGON2_SLOTS`]) it keeps a login flood from costing memory or
//! slowing other requests.
//!
//! The table is bounded: past [`MAX_ADDRESSES`] addresses, full buckets are forgotten
//! first, and if all are in use the oldest address is.

use crate::error::AppError;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Instant;

/// Logins an address may make at once.
pub const BURST: f64 = 30.0;
/// Seconds for one more login.
pub const REFILL_SECS: f64 = 2.0;
/// Addresses remembered at most.
const MAX_ADDRESSES: usize = 10_000;

#[derive(Default)]
pub struct LoginLimit {
    buckets: Mutex<HashMap<Option<IpAddr>, (f64, Instant)>>,
}

impl LoginLimit {
    /// Takes one login from `addr`'s bucket (`None`: the address is not known, as for
    /// in-process requests), or refuses with 429.
    pub fn take(&self, addr: Option<IpAddr>) -> Result<(), AppError> {
        self.take_at(addr, Instant::now())
    }

    fn take_at(&self, addr: Option<IpAddr>, now: Instant) -> Result<(), AppError> {
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() >= MAX_ADDRESSES && !buckets.contains_key(&addr) {
            buckets.retain(|_, (left, at)| level(*left, *at, now) < BURST);
            if buckets.len() >= MAX_ADDRESSES {
                if let Some(oldest) = buckets
                    .iter()
                    .min_by_key(|(_, (_, at))| *at)
                    .map(|(k, _)| *k)
                {
                    buckets.remove(&oldest);
                }
            }
        }
        let (left, at) = buckets.entry(addr).or_insert((BURST, now));
        let current = level(*left, *at, now);
        if current < 1.0 {
            return Err(AppError::Throttled);
        }
        *left = current - 1.0;
        *at = now;
        Ok(())
    }
}

/// A bucket's level at `now`, refilled since `at`.
fn level(left: f64, at: Instant, now: Instant) -> f64 {
    (left + now.saturating_duration_since(at).as_secs_f64() / REFILL_SECS).min(BURST)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn an_address_gets_its_burst_then_one_login_per_refill() {
        let limit = LoginLimit::default();
        let t0 = Instant::now();
        let a = Some(IpAddr::from([192, 0, 2, 1]));
        let b = Some(IpAddr::from([192, 0, 2, 2]));
        for _ in 0..BURST as usize {
            limit.take_at(a, t0).unwrap();
        }
        assert!(matches!(limit.take_at(a, t0), Err(AppError::Throttled)));
        limit.take_at(b, t0).unwrap();
        let later = t0 + Duration::from_secs_f64(REFILL_SECS);
        limit.take_at(a, later).unwrap();
        assert!(limit.take_at(a, later).is_err());
    }
}
