//! Quantile estimation for summaries (placeholder: replaced by the CKMS estimator).
