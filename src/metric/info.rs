//! Info: a set of labels describing something (a build, a version), exposed with value 1.

use std::sync::Arc;

use crate::sync::RwLock;

use super::expiry::Activity;
use super::{ChildMetric, FamilySchema};
use crate::error::{Error, Result};
use crate::snapshot::{LabelSet, MetricType, PointValue};
use crate::store::{GaugeMode, Store, StoreKind};

/// The labels an info series carries. Setting them replaces the previous set.
#[derive(Debug)]
pub struct Info {
    labels: RwLock<LabelSet>,
    /// The family's own label names, which info labels must not repeat.
    reserved: Arc<[Box<str>]>,
    /// For a series in a shared store, the store and its value block: the labels are there
    /// (`labels` is unused), the latest set by any process.
    shared: Option<(Arc<Store>, u64)>,
    activity: Activity,
}

impl Info {
    /// Replaces the info labels. Names are validated and must not repeat the family's labels.
    pub fn set<N: AsRef<str>, V: AsRef<str>>(&self, pairs: &[(N, V)]) -> Result<()> {
        let labels = LabelSet::new(pairs)?;
        if let Some(clash) = labels
            .names()
            .iter()
            .find(|n| self.reserved.iter().any(|r| r == *n))
        {
            return Err(Error::InvalidLabelName {
                name: clash.to_string(),
                reason: "already a label of the info family",
            });
        }
        self.activity.touch();
        match &self.shared {
            Some((store, block)) => store.set_info(*block, &labels)?,
            None => *self.labels.write() = labels,
        }
        Ok(())
    }

    /// The current info labels (none when a shared store's record of them is unreadable).
    pub fn get(&self) -> LabelSet {
        match &self.shared {
            Some((store, block)) => store.info(*block).unwrap_or_else(|_| LabelSet::empty()),
            None => self.labels.read().clone(),
        }
    }
}

/// The label names of the family an info child belongs to.
#[derive(Clone, Debug, Default)]
pub struct InfoConfig {
    reserved: Option<Arc<[Box<str>]>>,
}

impl ChildMetric for Info {
    type Config = InfoConfig;
    const TYPE: MetricType = MetricType::Info;

    fn new_child(config: &InfoConfig) -> Self {
        Info {
            labels: RwLock::new(LabelSet::empty()),
            reserved: config
                .reserved
                .clone()
                .unwrap_or_else(|| Arc::from(Vec::new())),
            shared: None,
            activity: Activity::default(),
        }
    }

    fn store_kind(_: &InfoConfig, _: GaugeMode) -> Option<StoreKind> {
        Some(StoreKind::Info)
    }

    fn in_store(
        config: &InfoConfig,
        store: &Arc<Store>,
        _: &StoreKind,
        block: u64,
    ) -> Result<Self> {
        store.info(block)?;
        Ok(Info {
            shared: Some((store.clone(), block)),
            ..Info::new_child(config)
        })
    }

    fn activity(&self) -> &Activity {
        &self.activity
    }

    fn point(&self, _: &InfoConfig) -> PointValue {
        PointValue::Info { info: self.get() }
    }

    fn prepare(_: InfoConfig, family: &FamilySchema) -> Result<InfoConfig> {
        Ok(InfoConfig {
            reserved: Some(family.label_names.clone()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_replaces_labels_and_checks_clashes() {
        let info = Info::new_child(
            &Info::prepare(
                InfoConfig::default(),
                &FamilySchema {
                    name: "build".into(),
                    label_names: Arc::from(vec![Box::<str>::from("instance")]),
                },
            )
            .unwrap(),
        );
        info.set(&[("version", "1.2.3"), ("commit", "abc")])
            .unwrap();
        assert_eq!(info.get().get("version"), Some("1.2.3"));
        info.set(&[("version", "2")]).unwrap();
        assert_eq!(info.get().len(), 1);
        assert!(info.set(&[("instance", "x")]).is_err());
        assert!(info.set(&[("a", "1"), ("a", "2")]).is_err());
        assert!(info.set(&[("__a", "1")]).is_err());
        assert_eq!(info.get().get("version"), Some("2"));
    }
}
