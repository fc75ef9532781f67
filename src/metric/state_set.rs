//! State set (an enum): named states, each on or off.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::ChildMetric;
use super::expiry::Activity;
use super::shared_cells::SharedCells;
use crate::error::{Error, Result};
use crate::snapshot::{MetricType, PointValue};
use crate::store::{GaugeMode, Store, StoreKind};

/// The states every child of a state-set family has, and how a new child starts.
#[derive(Clone, Debug, PartialEq)]
pub struct StateSetConfig {
    states: Arc<[Box<str>]>,
    first_active: bool,
}

impl StateSetConfig {
    /// An enum: exactly one state is meant to be active, and a new child starts in the first
    /// state, as client_python's `Enum` does.
    pub fn enumeration<S: AsRef<str>>(states: &[S]) -> Result<Self> {
        Self::build(states, true)
    }

    /// A set of independent flags, all off at first.
    pub fn flags<S: AsRef<str>>(states: &[S]) -> Result<Self> {
        Self::build(states, false)
    }

    fn build<S: AsRef<str>>(states: &[S], first_active: bool) -> Result<Self> {
        if states.is_empty() {
            return Err(Error::InvalidConfig(
                "a state set needs at least one state".into(),
            ));
        }
        for (i, state) in states.iter().enumerate() {
            if states[..i].iter().any(|s| s.as_ref() == state.as_ref()) {
                return Err(Error::InvalidConfig(format!(
                    "state {:?} is listed twice",
                    state.as_ref()
                )));
            }
        }
        Ok(StateSetConfig {
            states: states.iter().map(|s| Box::from(s.as_ref())).collect(),
            first_active,
        })
    }

    pub fn states(&self) -> &[Box<str>] {
        &self.states
    }
}

/// One state-set series.
#[derive(Debug)]
pub struct StateSet {
    states: Arc<[Box<str>]>,
    /// A word per state, 1 while it is on: in this process, or in a shared store, where the
    /// latest change by any process holds.
    active: SharedCells<AtomicU64>,
    activity: Activity,
}

impl StateSet {
    fn index_of(&self, state: &str) -> Result<usize> {
        self.states
            .iter()
            .position(|s| &**s == state)
            .ok_or_else(|| Error::UnknownState(state.to_owned()))
    }

    /// Makes `state` the only active state.
    pub fn set(&self, state: &str) -> Result<()> {
        let index = self.index_of(state)?;
        self.activity.touch();
        for (i, flag) in self.active.iter().enumerate() {
            flag.store(u64::from(i == index), Ordering::Relaxed);
        }
        Ok(())
    }

    /// Turns one state on or off, leaving the others as they are.
    pub fn set_state(&self, state: &str, on: bool) -> Result<()> {
        let index = self.index_of(state)?;
        self.activity.touch();
        self.active[index].store(u64::from(on), Ordering::Relaxed);
        Ok(())
    }

    /// Whether `state` is on.
    pub fn is_active(&self, state: &str) -> Result<bool> {
        Ok(self.active[self.index_of(state)?].load(Ordering::Relaxed) != 0)
    }

    /// The first active state, if any: the value of an enum.
    pub fn current(&self) -> Option<&str> {
        self.active
            .iter()
            .position(|f| f.load(Ordering::Relaxed) != 0)
            .map(|i| &*self.states[i])
    }

    pub fn states(&self) -> &[Box<str>] {
        &self.states
    }
}

impl ChildMetric for StateSet {
    type Config = StateSetConfig;
    const TYPE: MetricType = MetricType::StateSet;

    fn new_child(config: &StateSetConfig) -> Self {
        let active = SharedCells::<AtomicU64>::local(config.states.len());
        if config.first_active {
            active[0].store(1, Ordering::Relaxed);
        }
        StateSet {
            states: config.states.clone(),
            active,
            activity: Activity::default(),
        }
    }

    fn store_kind(config: &StateSetConfig, _: GaugeMode) -> Option<StoreKind> {
        Some(StoreKind::StateSet {
            states: config.states.clone(),
            enumeration: config.first_active,
        })
    }

    fn in_store(
        config: &StateSetConfig,
        store: &Arc<Store>,
        _: &StoreKind,
        block: u64,
    ) -> Result<Self> {
        // SAFETY: a state set's block is a word per state (`store::layout::state_set_block`),
        // written by every process only as here.
        let active = unsafe { SharedCells::in_store(store, block, config.states.len()) }?;
        Ok(StateSet {
            states: config.states.clone(),
            active,
            activity: Activity::default(),
        })
    }

    fn activity(&self) -> &Activity {
        &self.activity
    }

    fn point(&self, _: &StateSetConfig) -> PointValue {
        PointValue::StateSet {
            states: self.states.clone(),
            active: self
                .active
                .iter()
                .map(|f| f.load(Ordering::Relaxed) != 0)
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enum_starts_in_first_state_and_switches() {
        let s = StateSet::new_child(&StateSetConfig::enumeration(&["pending", "running"]).unwrap());
        assert_eq!(s.current(), Some("pending"));
        s.set("running").unwrap();
        assert_eq!(s.current(), Some("running"));
        assert!(!s.is_active("pending").unwrap());
        assert_eq!(s.set("gone"), Err(Error::UnknownState("gone".into())));
        assert_eq!(s.current(), Some("running"));
    }

    #[test]
    fn flags_are_independent() {
        let s = StateSet::new_child(&StateSetConfig::flags(&["a", "b"]).unwrap());
        assert_eq!(s.current(), None);
        s.set_state("a", true).unwrap();
        s.set_state("b", true).unwrap();
        assert!(s.is_active("a").unwrap() && s.is_active("b").unwrap());
    }

    #[test]
    fn config_is_checked() {
        assert!(StateSetConfig::enumeration::<&str>(&[]).is_err());
        assert!(StateSetConfig::enumeration(&["a", "a"]).is_err());
    }
}
