//! Integration tests: frame.
