//! Limits that keep a bad file from exhausting memory.

/// Longest line of a JSON Lines file: a return with 20 members is about 12 KB.
pub const MAX_LINE_BYTES: usize = 1 << 20;
/// Longest CSV row (one member of a return).
pub const MAX_ROW_BYTES: usize = 64 << 10;
/// Most rows (members) one return may have in a CSV file.
pub const MAX_MEMBERS: usize = 100;
