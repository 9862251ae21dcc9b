//! Integration tests: size.
