//! The limits of a filled workbook (docs/forms.md, "Limits"), checked on the ZIP's central
//! directory before the XLSX reader decompresses or allocates anything: a 1 MB file could
//! otherwise inflate to gigabytes, or declare a shared-string table of a hundred million
//! strings that the reader reserves room for.

/// The workbook's parts, decompressed, at most: 256 MiB. A filled template of a county's
/// 1,250 visits is well under 10 MB.
pub const MAX_UNCOMPRESSED: u64 = 256 << 20;

/// The shared-string table, decompressed, at most: 64 MiB (the reader holds it whole).
pub const MAX_SHARED_STRINGS_BYTES: u64 = 64 << 20;

/// Strings the shared-string table may declare: 2 million (every text cell of 10,000
/// visits is far fewer).
pub const MAX_SHARED_STRINGS: u64 = 2_000_000;
