//! The limits of a visit record's text fields, in one place with their reasons
//! (docs/records.md, "Limits"). A record over a limit is refused at import, so that a
//! stored record can always be written into a report, a workbook cell (at most 32,767
//! characters in XLSX) or a terminal line.
//!
//! Lengths are counted in characters (Unicode scalar values), not bytes: a Chinese name of
//! 10 characters is 10, not 30.

/// `draw_id`: a draw's id is the 64 hex digits of its sample's SHA-256.
pub const DRAW_ID_CHARS: usize = 64;

/// `household_id` (of the visit and of the household record): register ids are short
/// (`530128001203-0012` is 17); 64 leaves room for any county's scheme.
pub const HOUSEHOLD_ID_CHARS: usize = 64;

/// `members[i].id`: a name or a number identifying the member in reasons.
pub const MEMBER_ID_CHARS: usize = 64;

/// `team`: a team's name or number.
pub const TEAM_CHARS: usize = 100;

/// Each of `interviewers`: a person's name.
pub const INTERVIEWER_CHARS: usize = 100;

/// `start`, `end`: an RFC 3339 date-time is at most 35 characters
/// (`2020-06-12T09:30:00.123456789+08:00`).
pub const TIME_CHARS: usize = 40;

/// `notes[i].rule`: a check rule's name (`short-interview`).
pub const NOTE_RULE_CHARS: usize = 64;

/// `notes[i].text`: a paragraph, well under a workbook cell's 32,767 characters.
pub const NOTE_TEXT_CHARS: usize = 2_000;

/// Notes on one visit: one per check rule is the use; 50 is far above it.
pub const NOTES_PER_VISIT: usize = 50;

/// Members of one household as found: the largest registered households have about 20.
pub const MEMBERS_PER_HOUSEHOLD: usize = 100;

/// The longest text any message quotes from a record before cutting it short.
pub const QUOTED_CHARS: usize = 80;

/// Whether `c` is a control character (C0, DEL or C1), which no text field of a record
/// may hold: they break terminals (ESC starts escape sequences), XML (XLSX cells) and
/// CSV exports. Only a note's text may hold line feeds and tabs.
pub fn is_control(c: char) -> bool {
    c.is_control()
}

/// `text` for a message: Rust's debug quoting (control characters escaped) and cut after
/// [`QUOTED_CHARS`] characters.
pub fn quoted(text: &str) -> String {
    let count = text.chars().count();
    if count <= QUOTED_CHARS {
        return format!("{text:?}");
    }
    let head: String = text.chars().take(QUOTED_CHARS).collect();
    format!("{head:?}... ({count} characters)")
}
