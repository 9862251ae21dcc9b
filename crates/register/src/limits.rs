//! The limits of what the register reader takes, in one place with their reasons
//! (docs/register.md, "Limits"). Input past a limit is refused at once, before the memory or
//! time it would cost is spent.

/// The longest record (a CSV row, with its quoted fields) read: 1 MiB. A register row is
/// about 100 bytes; a longer "row" is a file without line ends (`/dev/zero`, a binary file)
/// or an unterminated quote, and is refused when this many bytes hold no end of a record,
/// instead of being read on to the end of the file.
pub const MAX_RECORD_BYTES: usize = 1 << 20;

/// An XLSX workbook's parts, decompressed, at most: 1 GiB (the ZIP's central directory is
/// read before anything is decompressed). A full sheet of 1,048,576 rows of a register is
/// about 250 MB of XML; a 1 MB "workbook" that inflates to gigabytes is a ZIP bomb.
pub const XLSX_MAX_UNCOMPRESSED: u64 = 1 << 30;

/// The shared-string table (`xl/sharedStrings.xml`) at most, decompressed: 256 MiB. It is
/// held in memory whole while the sheet is read.
pub const XLSX_MAX_SHARED_STRINGS_BYTES: u64 = 256 << 20;

/// Strings in the shared-string table at most: every cell of a full register sheet
/// (1,048,576 rows × 9 columns) is under 10 million. The reader reserves room for the
/// number the table declares, so a false count is refused before it is believed.
pub const XLSX_MAX_SHARED_STRINGS: u64 = 10_000_000;

/// The longest text of a field that a message quotes (control characters escaped).
pub const QUOTED_CHARS: usize = 80;

/// `text` for a message: debug-quoted (control characters escaped) and cut after
/// [`QUOTED_CHARS`] characters.
pub(crate) fn quoted(text: &str) -> String {
    let count = text.chars().count();
    if count <= QUOTED_CHARS {
        return format!("{text:?}");
    }
    let head: String = text.chars().take(QUOTED_CHARS).collect();
    format!("{head:?}... ({count} characters)")
}
