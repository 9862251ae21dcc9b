//! Records uploaded from the field in batches, each answered on its own: parsed and validated
//! like a file's records (`assess-inspection`), then stored with the store's upload rules
//! (idempotent by record id and content, conflicts kept beside the current version; see
//! `assess_store::Store::upload_visits`). Also the field progress, added up by village,
//! county, team and interviewer.

use crate::error::AppError;
use assess_store::{ProgressRow, Store, Upload, UploadAnswer, UploadOutcome};
use std::collections::BTreeMap;

/// One record as a client sends it: its id, the version it edited, and the record itself.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct UploadItem {
    /// The client's id for this household record (a UUID, say), kept across its edits.
    pub record_id: String,
    /// The content hash of the stored version the edit started from (absent: none).
    #[serde(default)]
    pub base_sha256: Option<String>,
    /// The visit record, as in a records file (docs/records.md).
    pub record: serde_json::Value,
}

/// The longest record id accepted: a UUID is 36 characters.
pub const MAX_RECORD_ID: usize = 100;

/// The answer for each item, in order: the parse or validation problem of a refused one, the
/// store's answer for the rest. Returns the parsed uploads too, so that a front end may check
/// each household against its caller's scope before [`store`].
pub fn parse(items: &[UploadItem]) -> Vec<Result<Upload, UploadAnswer>> {
    items
        .iter()
        .enumerate()
        .map(|(i, item)| parse_one(i, item))
        .collect()
}

fn parse_one(index: usize, item: &UploadItem) -> Result<Upload, UploadAnswer> {
    let household = item
        .record
        .get("household_id")
        .and_then(|h| h.as_str())
        .unwrap_or("")
        .to_string();
    let refuse = |field: &str, message: String| UploadAnswer {
        record_id: item.record_id.clone(),
        household_id: household.clone(),
        content_sha256: String::new(),
        outcome: UploadOutcome::Refused {
            field: field.into(),
            message,
        },
    };
    let id = item.record_id.trim();
    if id.is_empty() || id.len() > MAX_RECORD_ID || id != item.record_id {
        return Err(refuse(
            "record_id",
            format!(
                "record {}: record_id must be 1 to {MAX_RECORD_ID} characters without spaces \
                 around it (a UUID, say)",
                index + 1
            ),
        ));
    }
    if let Some(base) = &item.base_sha256 {
        if base.len() != 64 || !base.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(refuse(
                "base_sha256",
                "base_sha256 must be the 64 hex digits of the stored version the edit started \
                 from, or absent for a new record"
                    .into(),
            ));
        }
    }
    let text = item.record.to_string();
    let name = format!("upload record {}", index + 1);
    match assess_inspection::parse_visits(&name, &text) {
        Ok(mut parsed) if parsed.len() == 1 => Ok(Upload {
            record_id: item.record_id.clone(),
            base_sha256: item.base_sha256.as_ref().map(|b| b.to_ascii_lowercase()),
            visit: parsed.remove(0).visit,
        }),
        Ok(_) => Err(refuse("record", "record must be one JSON object".into())),
        Err(problems) => {
            let first = problems.0.first();
            let field = first
                .and_then(|p| p.field.clone())
                .unwrap_or_else(|| "record".into());
            let message = problems
                .0
                .iter()
                .map(|p| match &p.field {
                    Some(f) => format!("{f}: {}", p.message),
                    None => p.message.clone(),
                })
                .collect::<Vec<_>>()
                .join("; ");
            Err(refuse(&field, message))
        }
    }
}

/// Stores the uploads of `account` and answers each.
pub async fn store(
    store: &Store,
    account: &str,
    uploads: &[Upload],
) -> Result<Vec<UploadAnswer>, AppError> {
    Ok(store.upload_visits(account, uploads).await?)
}

/// Field progress added up by the groups a coordinator follows.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ProgressReport {
    /// Every village.
    pub villages: Vec<ProgressRow>,
    /// By county (village code empty).
    pub counties: Vec<ProgressRow>,
    /// By team, over the counties assigned to it.
    pub teams: BTreeMap<String, ProgressRow>,
    /// By interviewer, over the villages assigned to them.
    pub interviewers: BTreeMap<String, ProgressRow>,
}

/// Who holds which county and village, for adding up progress by team and interviewer.
#[derive(Debug, Clone, Default)]
pub struct Holders {
    /// County → teams.
    pub county_teams: BTreeMap<String, Vec<String>>,
    /// (draw, village) → interviewers.
    pub village_interviewers: BTreeMap<(String, String), Vec<String>>,
}

/// Adds up village rows (already limited to what the caller may see).
pub fn progress_report(villages: Vec<ProgressRow>, holders: &Holders) -> ProgressReport {
    let mut counties: BTreeMap<(String, String), ProgressRow> = BTreeMap::new();
    let mut teams: BTreeMap<String, ProgressRow> = BTreeMap::new();
    let mut interviewers: BTreeMap<String, ProgressRow> = BTreeMap::new();
    let total = |label: &ProgressRow| ProgressRow {
        draw_id: label.draw_id.clone(),
        county_code: label.county_code.clone(),
        ..ProgressRow::default()
    };
    for v in &villages {
        counties
            .entry((v.draw_id.clone(), v.county_code.clone()))
            .or_insert_with(|| total(v))
            .add(v);
        for team in holders
            .county_teams
            .get(&v.county_code)
            .into_iter()
            .flatten()
        {
            teams.entry(team.clone()).or_default().add(v);
        }
        let key = (v.draw_id.clone(), v.village_code.clone());
        for who in holders.village_interviewers.get(&key).into_iter().flatten() {
            interviewers.entry(who.clone()).or_default().add(v);
        }
    }
    ProgressReport {
        villages,
        counties: counties.into_values().collect(),
        teams,
        interviewers,
    }
}
