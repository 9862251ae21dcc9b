//! Allowed: the server knows HTTP.
