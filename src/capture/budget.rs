//! One byte budget shared by every capture in flight. `--max-capture-body` bounds one
//! exchange; this bounds them all together, so a handful of endless streams cannot take the
//! recorder's memory however long they run.
//!
//! A recording takes from the budget as it keeps response bytes ([`Charge`]) and gives them
//! back when it is dropped: after its capture is written, not when its stream ends, because a
//! finished recording waiting for the writer holds the same bytes. When the budget is full the
//! capture stops keeping (it records a prefix and says how much it left out); the client's
//! stream is never touched.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// The default budget: four captures at the default `--max-capture-body`.
pub const DEFAULT_CAPTURE_MEMORY: usize = 256 * 1024 * 1024;

/// The shared budget (cheap to clone).
#[derive(Debug, Clone)]
pub struct CaptureBudget {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    limit: usize,
    held: AtomicUsize,
    /// Set the first time a capture was cut by the budget (to say so once).
    reached: AtomicBool,
}

impl CaptureBudget {
    pub fn new(limit: usize) -> CaptureBudget {
        CaptureBudget {
            inner: Arc::new(Inner {
                limit,
                held: AtomicUsize::new(0),
                reached: AtomicBool::new(false),
            }),
        }
    }

    pub fn limit(&self) -> usize {
        self.inner.limit
    }

    /// Bytes taken by captures in flight right now.
    pub fn held(&self) -> usize {
        self.inner.held.load(Ordering::Acquire)
    }

    /// Take `bytes` if they fit.
    fn take(&self, bytes: usize) -> bool {
        let taken = self
            .inner
            .held
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |held| {
                held.checked_add(bytes)
                    .filter(|&sum| sum <= self.inner.limit)
            })
            .is_ok();
        if !taken && !self.inner.reached.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                "the capture memory budget ({} bytes, --max-capture-memory) is full: captures in flight keep what they have and say how much they left out; clients still get every byte",
                self.inner.limit
            );
        }
        taken
    }

    fn give_back(&self, bytes: usize) {
        self.inner.held.fetch_sub(bytes, Ordering::AcqRel);
    }
}

impl Default for CaptureBudget {
    fn default() -> Self {
        CaptureBudget::new(DEFAULT_CAPTURE_MEMORY)
    }
}

/// What one recording has taken from the budget; given back when it is dropped.
#[derive(Debug, Default)]
pub struct Charge {
    budget: Option<CaptureBudget>,
    bytes: usize,
}

impl Charge {
    /// Take `bytes` more from `budget` for this recording, if they fit.
    pub fn add(&mut self, budget: &CaptureBudget, bytes: usize) -> bool {
        if !budget.take(bytes) {
            return false;
        }
        match &self.budget {
            Some(held) => debug_assert!(Arc::ptr_eq(&held.inner, &budget.inner)),
            None => self.budget = Some(budget.clone()),
        }
        self.bytes += bytes;
        true
    }

    pub fn bytes(&self) -> usize {
        self.bytes
    }
}

impl Drop for Charge {
    fn drop(&mut self) {
        if let Some(budget) = &self.budget {
            budget.give_back(self.bytes);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charges_fit_the_budget_and_come_back_when_dropped() {
        let budget = CaptureBudget::new(100);
        let mut a = Charge::default();
        let mut b = Charge::default();
        assert!(a.add(&budget, 60));
        assert!(!b.add(&budget, 41), "over the budget");
        assert!(b.add(&budget, 40));
        assert_eq!(budget.held(), 100);
        drop(a);
        assert_eq!(budget.held(), 40);
        assert!(b.add(&budget, 60));
        drop(b);
        assert_eq!(budget.held(), 0);
    }
}
