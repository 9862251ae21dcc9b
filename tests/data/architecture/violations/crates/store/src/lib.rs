//! Allowed: the store knows SQL.

/// A query.
pub const Q: &str = "SELECT 1";
