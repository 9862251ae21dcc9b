//! Integration tests: draw.
