//! Records uploaded by field teams through the server, each with its own answer.
//!
//! A file import (`records`) is all or nothing: a team leader fixes the file and imports it
//! again. An upload from a village with a poor connection is different: a batch holds records
//! of many households, some may be refused while the rest must land, and the same batch may be
//! sent again after a broken connection. So here:
//! - each record is answered on its own: accepted (a new version), unchanged, conflict or
//!   refused with the field and the reason;
//! - a retry never writes twice: the client's record id and the content hash of every
//!   acknowledged upload are kept (`record_uploads`), and content equal to any stored version
//!   of the household is unchanged;
//! - an edit made without having seen the current version (its base is not the current
//!   content) is a conflict: the current version stays current, the other is kept whole in
//!   `record_conflicts` and both are shown, until an upload based on the current version
//!   resolves it. Nothing is silently overwritten.
//!
//! The rules a file import applies (a household of the draw's sample, the first phase's
//! households under their own draw, no field change after review) apply here too.

use crate::{Store, StoreError};
use assess_inspection::{FindingState, VisitRecord};
use sqlx::Row;
use std::collections::{BTreeSet, HashMap};

type Tx<'a> = sqlx::Transaction<'a, sqlx::Any>;

/// One uploaded record.
#[derive(Debug, Clone)]
pub struct Upload {
    /// The client's id for this household record, kept across its edits.
    pub record_id: String,
    /// The content hash of the version the client edited (None: it saw no stored version).
    pub base_sha256: Option<String>,
    /// The record, parsed and validated.
    pub visit: VisitRecord,
}

/// What happened to one uploaded record.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum UploadOutcome {
    /// Stored as a new version, now current.
    Accepted {
        /// The version stored.
        version: i64,
        /// Conflicts of this household that this version resolved.
        resolved_conflicts: usize,
    },
    /// Already stored (a retry, or the same content as a stored version): nothing written.
    Unchanged {
        /// The stored version with this content, if it is a version (not a kept conflict).
        version: Option<i64>,
    },
    /// The household's record changed since the version this edit started from: kept beside
    /// the current version, which stays current.
    Conflict {
        /// The current version.
        current_version: i64,
        /// Its content hash: upload an edit based on it to resolve the conflict.
        current_sha256: String,
    },
    /// Not stored.
    Refused {
        /// The field concerned.
        field: String,
        /// Why, and what to do.
        message: String,
    },
}

/// The answer for one uploaded record, in the order uploaded.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct UploadAnswer {
    /// The client's record id.
    pub record_id: String,
    /// The household.
    pub household_id: String,
    /// The record's content hash.
    pub content_sha256: String,
    /// What happened.
    #[serde(flatten)]
    pub outcome: UploadOutcome,
}

/// An unresolved conflict: a version kept beside the current one.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Conflict {
    /// The draw.
    pub draw_id: String,
    /// The household.
    pub household_id: String,
    /// The kept version's content hash.
    pub content_sha256: String,
    /// The content its author had seen.
    pub base_sha256: Option<String>,
    /// The version that was current when it arrived.
    pub current_version: i64,
    /// The client's record id.
    pub record_id: String,
    /// Who uploaded it.
    pub account: String,
    /// When it arrived.
    pub received_at: String,
    /// The kept record, canonical JSON.
    pub record_json: String,
}

/// What the database holds about the households of a batch.
#[derive(Default)]
struct Known {
    /// Draws in the database.
    draws: BTreeSet<String>,
    /// (draw, household) in the draw's sample.
    sampled: BTreeSet<(String, String)>,
    /// (draw, household) → (current version, its hash).
    current: HashMap<(String, String), (i64, String)>,
    /// (draw, household, hash) → the version with that content.
    versions: HashMap<(String, String, String), i64>,
    /// (draw, household, hash) kept as conflicts.
    conflicts: BTreeSet<(String, String, String)>,
    /// record id → (draw, household) it was first uploaded for.
    record_ids: HashMap<String, (String, String)>,
    /// (record id, hash) acknowledged before → its answer.
    acknowledged: HashMap<(String, String), UploadOutcome>,
    /// (draw, household) whose finding has steps (reviewed or appealed).
    reviewed: BTreeSet<(String, String)>,
}

/// Per draw: household → the earlier draw of its lineage that holds its records.
type FirstPhase = HashMap<String, HashMap<String, String>>;

impl Store {
    /// Stores a batch of uploaded records in one transaction, answering each on its own (see
    /// the module's rules). `account` is who uploaded them.
    pub async fn upload_visits(
        &self,
        account: &str,
        uploads: &[Upload],
    ) -> Result<Vec<UploadAnswer>, StoreError> {
        let mut first_phase = FirstPhase::new();
        for draw in uploads.iter().map(|u| &u.visit.draw_id) {
            if !first_phase.contains_key(draw) {
                first_phase.insert(draw.clone(), self.first_phase_households(draw).await?);
            }
        }
        // Before the writers' lock: each record's's canonical JSON and its hash, computed once.
        let prepared: Vec<Prepared> = uploads
            .iter()
            .map(|u| {
                let json = u.visit.canonical_json();
                // The same hash as `VisitRecord::content_sha256`, without serialising twice.
                let hash = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(json.as_bytes()));
                Prepared { json, hash }
            })
            .collect();
        self.retrying(|| self.upload_visits_once(account, uploads, &prepared, &first_phase))
            .await
    }

    async fn upload_visits_once(
        &self,
        account: &str,
        uploads: &[Upload],
        prepared: &[Prepared],
        first_phase: &FirstPhase,
    ) -> Result<Vec<UploadAnswer>, StoreError> {
        let db = |e| self.db_error(e);
        let mut tx = self.begin_write().await.map_err(db)?;
        let mut known = known(&mut tx, uploads, prepared).await.map_err(db)?;
        let now = crate::now_rfc3339();
        let mut answers = Vec::with_capacity(uploads.len());
        for (upload, p) in uploads.iter().zip(prepared) {
            let outcome = match judge(&known, first_phase, upload, &p.hash) {
                Judged::Answer(outcome) => outcome,
                Judged::Reviewed(key) => self
                    .after_review(&mut tx, &key)
                    .await
                    .map_err(db)?
                    .unwrap_or_else(|| new_version(&known, &key)),
                Judged::Store(key) => new_version(&known, &key),
                Judged::Conflict(key) => {
                    let (version, hash) = known.current[&key].clone();
                    UploadOutcome::Conflict {
                        current_version: version,
                        current_sha256: hash,
                    }
                }
            };
            remember(&mut known, upload, &p.hash, &outcome);
            answers.push(UploadAnswer {
                record_id: upload.record_id.clone(),
                household_id: upload.visit.household_id.clone(),
                content_sha256: p.hash.clone(),
                outcome,
            });
        }
        let batch = Batch {
            account,
            now: &now,
            uploads,
            prepared,
            answers: &answers,
        };
        let logged = batch.write(&mut tx).await.map_err(db)?;
        crate::audit::append(&mut tx, self.actor(), logged)
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(answers)
    }

    /// A reviewed finding's record changes only through review or appeal steps: the refusal,
    /// or None when the state still lets the field change it.
    async fn after_review(
        &self,
        tx: &mut Tx<'_>,
        key: &(String, String),
    ) -> Result<Option<UploadOutcome>, sqlx::Error> {
        let history = crate::review::load_history(tx, &key.0, Some(&key.1)).await?;
        let Some((steps, versions)) = history.get(&key.1) else {
            return Ok(None);
        };
        let state = crate::review::state_from(steps, versions).unwrap_or(FindingState::Recorded);
        if state.field_may_change() {
            return Ok(None);
        }
        Ok(Some(UploadOutcome::Refused {
            field: "household_id".into(),
            message: format!(
                "the finding of household {} is {}: after review a record changes only through \
                 a review or appeal step, never by a new field upload",
                key.1,
                state.code()
            ),
        }))
    }

    /// Unresolved conflicts, of one draw or of all.
    pub async fn conflicts(&self, draw_id: Option<&str>) -> Result<Vec<Conflict>, StoreError> {
        let db = |e| self.db_error(e);
        let select = "SELECT draw_id, household_id, content_sha256, base_sha256, current_version, \
                      record_id, account, received_at, record_json FROM record_conflicts \
                      WHERE resolved_by IS NULL";
        let query = match draw_id {
            Some(d) => sqlx::query(sqlx::AssertSqlSafe(format!("{select} AND draw_id = $1")))
                .bind(d.to_string()),
            None => sqlx::query(sqlx::AssertSqlSafe(select.to_string())),
        };
        let rows = query.fetch_all(self.pool()).await.map_err(db)?;
        rows.iter()
            .map(|r| {
                Ok(Conflict {
                    draw_id: r.try_get(0)?,
                    household_id: r.try_get(1)?,
                    content_sha256: r.try_get(2)?,
                    base_sha256: r.try_get(3)?,
                    current_version: r.try_get(4)?,
                    record_id: r.try_get(5)?,
                    account: r.try_get(6)?,
                    received_at: r.try_get(7)?,
                    record_json: r.try_get(8)?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(db)
    }

    /// Where each household of a draw's sample is: household → (county, village). Households
    /// not in the sample are absent.
    pub async fn household_places(
        &self,
        draw_id: &str,
        households: &[&str],
    ) -> Result<HashMap<String, (String, String)>, StoreError> {
        let db = |e| self.db_error(e);
        let mut out = HashMap::new();
        for chunk in households.chunks(CHUNK) {
            let sql = format!(
                "SELECT household_id, county_code, village_code FROM sample_households \
                 WHERE draw_id = $1 AND household_id IN ({})",
                placeholders(2, chunk.len())
            );
            // The placeholders are generated; every value is bound.
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(draw_id);
            for h in chunk {
                q = q.bind(*h);
            }
            for r in q.fetch_all(self.pool()).await.map_err(db)? {
                out.insert(
                    r.try_get(0).map_err(db)?,
                    (r.try_get(1).map_err(db)?, r.try_get(2).map_err(db)?),
                );
            }
        }
        Ok(out)
    }
}

impl Store {
    /// The county of a sampled village of a draw (None: not in the draw's sample).
    pub async fn village_county(
        &self,
        draw_id: &str,
        village_code: &str,
    ) -> Result<Option<String>, StoreError> {
        let row = sqlx::query(
            "SELECT county_code FROM sample_villages WHERE draw_id = $1 AND village_code = $2",
        )
        .bind(draw_id)
        .bind(village_code)
        .fetch_optional(self.pool())
        .await
        .map_err(|e| self.db_error(e))?;
        row.map(|r| r.try_get(0))
            .transpose()
            .map_err(|e| self.db_error(e))
    }

    /// Whether a stored photo is linked to a household of a draw.
    pub async fn photo_linked(
        &self,
        draw_id: &str,
        household_id: &str,
        sha256: &str,
    ) -> Result<bool, StoreError> {
        let row = sqlx::query(
            "SELECT photo_sha256 FROM photo_links \
             WHERE draw_id = $1 AND household_id = $2 AND photo_sha256 = $3",
        )
        .bind(draw_id)
        .bind(household_id)
        .bind(sha256)
        .fetch_optional(self.pool())
        .await
        .map_err(|e| self.db_error(e))?;
        Ok(row.is_some())
    }

    /// The current records of one sampled village of a draw, canonical JSON, by household.
    pub async fn village_records(
        &self,
        draw_id: &str,
        village_code: &str,
    ) -> Result<Vec<(String, i64, String, String)>, StoreError> {
        let db = |e| self.db_error(e);
        let rows = sqlx::query(
            "SELECT v.household_id, v.version, v.content_sha256, v.record_json FROM visits v \
             JOIN sample_households h ON h.draw_id = v.draw_id AND h.household_id = v.household_id \
             WHERE v.draw_id = $1 AND h.village_code = $2 AND v.is_current ORDER BY v.household_id",
        )
        .bind(draw_id)
        .bind(village_code)
        .fetch_all(self.pool())
        .await
        .map_err(db)?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?)))
            .collect::<Result<_, sqlx::Error>>()
            .map_err(db)
    }
}

/// Households per `IN (...)` list: well under SQLite's and PostgreSQL's parameter limits.
const CHUNK: usize = 500;

/// `$first, $first+1, ...` for `n` parameters.
fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What one upload needs next.
enum Judged {
    /// Answered from what is known.
    Answer(UploadOutcome),
    /// A new current version, unless the finding's review forbids it.
    Reviewed((String, String)),
    /// A new current version.
    Store((String, String)),
    /// Kept beside the current version.
    Conflict((String, String)),
}

fn refused(field: &str, message: String) -> Judged {
    Judged::Answer(UploadOutcome::Refused {
        field: field.into(),
        message,
    })
}

/// The rules, in order: a retry, the record id's household, the draw and the sample, the
/// first phase, content already stored, then the base against the current version.
fn judge(known: &Known, first_phase: &FirstPhase, upload: &Upload, hash: &str) -> Judged {
    let v = &upload.visit;
    let hash = hash.to_string();
    let key = (v.draw_id.clone(), v.household_id.clone());
    if let Some(outcome) = known
        .acknowledged
        .get(&(upload.record_id.clone(), hash.clone()))
    {
        return Judged::Answer(match outcome {
            UploadOutcome::Accepted { version, .. } => UploadOutcome::Unchanged {
                version: Some(*version),
            },
            other => other.clone(),
        });
    }
    if let Some(first) = known.record_ids.get(&upload.record_id) {
        if *first != key {
            return refused(
                "record_id",
                format!(
                    "record id {} was first used for household {} of draw {}; a record id names \
                     one household's record: make a new id for this household",
                    upload.record_id, first.1, first.0
                ),
            );
        }
    }
    if !known.draws.contains(&v.draw_id) {
        return refused(
            "draw_id",
            format!(
                "draw {} is not on this server; ask the coordinator",
                v.draw_id
            ),
        );
    }
    if !known.sampled.contains(&key) {
        return refused(
            "household_id",
            format!(
                "household {} is not in the sample of draw {} (neither a primary nor a reserve); \
                 records are taken only for sampled households",
                v.household_id, v.draw_id
            ),
        );
    }
    if let Some(base) = first_phase
        .get(&v.draw_id)
        .and_then(|f| f.get(&v.household_id))
    {
        return refused(
            "draw_id",
            format!(
                "household {} was drawn in the first phase of draw {}, by draw {base}: upload its \
                 record under that draw",
                v.household_id, v.draw_id
            ),
        );
    }
    let versioned = (key.0.clone(), key.1.clone(), hash.clone());
    if let Some(version) = known.versions.get(&versioned) {
        return Judged::Answer(UploadOutcome::Unchanged {
            version: Some(*version),
        });
    }
    if known.conflicts.contains(&versioned) {
        return Judged::Answer(UploadOutcome::Unchanged { version: None });
    }
    match known.current.get(&key) {
        None => Judged::Store(key),
        Some((_, current)) if upload.base_sha256.as_deref() == Some(current.as_str()) => {
            if known.reviewed.contains(&key) {
                Judged::Reviewed(key)
            } else {
                Judged::Store(key)
            }
        }
        Some(_) => Judged::Conflict(key),
    }
}

fn new_version(known: &Known, key: &(String, String)) -> UploadOutcome {
    let version = known.current.get(key).map_or(1, |(v, _)| v + 1);
    let resolved_conflicts = known
        .conflicts
        .iter()
        .filter(|(d, h, _)| *d == key.0 && *h == key.1)
        .count();
    UploadOutcome::Accepted {
        version,
        resolved_conflicts,
    }
}

/// Reads what the batch's rules need, with a few set queries per draw (not per record).
async fn known(
    tx: &mut Tx<'_>,
    uploads: &[Upload],
    prepared: &[Prepared],
) -> Result<Known, sqlx::Error> {
    let mut known = Known::default();
    let mut by_draw: HashMap<&str, BTreeSet<&str>> = HashMap::new();
    let mut hashes: HashMap<&str, BTreeSet<&str>> = HashMap::new();
    for (u, p) in uploads.iter().zip(prepared) {
        by_draw
            .entry(u.visit.draw_id.as_str())
            .or_default()
            .insert(u.visit.household_id.as_str());
        hashes
            .entry(u.visit.draw_id.as_str())
            .or_default()
            .insert(p.hash.as_str());
    }
    for (draw, households) in &by_draw {
        let present = sqlx::query("SELECT draw_id FROM draws WHERE draw_id = $1")
            .bind(*draw)
            .fetch_optional(&mut **tx)
            .await?
            .is_some();
        if !present {
            continue;
        }
        known.draws.insert(draw.to_string());
        let households: Vec<&str> = households.iter().copied().collect();
        let hashes: Vec<&str> = hashes[draw].iter().copied().collect();
        for chunk in households.chunks(CHUNK) {
            household_facts(tx, &mut known, draw, chunk, &hashes).await?;
        }
    }
    let ids: Vec<&str> = uploads
        .iter()
        .map(|u| u.record_id.as_str())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let all_hashes: Vec<&str> = prepared
        .iter()
        .map(|p| p.hash.as_str())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    for chunk in ids.chunks(CHUNK) {
        let bind = |sql: String| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for id in chunk {
                q = q.bind(id.to_string());
            }
            q
        };
        let named = bind(format!(
            "SELECT record_id, draw_id, household_id FROM record_ids WHERE record_id IN ({})",
            placeholders(1, chunk.len())
        ))
        .fetch_all(&mut **tx)
        .await?;
        for r in named {
            known
                .record_ids
                .insert(r.try_get(0)?, (r.try_get(1)?, r.try_get(2)?));
        }
        // Acknowledged before with the same content: by the whole key, not the record's
        // every upload.
        let mut q = bind(format!(
            "SELECT record_id, content_sha256, outcome, version FROM record_uploads \
             WHERE record_id IN ({}) AND content_sha256 IN ({})",
            placeholders(1, chunk.len()),
            placeholders(1 + chunk.len(), all_hashes.len())
        ));
        for h in &all_hashes {
            q = q.bind(h.to_string());
        }
        for r in q.fetch_all(&mut **tx).await? {
            let id: String = r.try_get(0)?;
            let hash: String = r.try_get(1)?;
            let outcome: String = r.try_get(2)?;
            let version: Option<i64> = r.try_get(3)?;
            let answer = match (outcome.as_str(), version) {
                ("accepted", Some(version)) => UploadOutcome::Accepted {
                    version,
                    resolved_conflicts: 0,
                },
                _ => UploadOutcome::Unchanged { version: None },
            };
            known.acknowledged.insert((id, hash), answer);
        }
    }
    Ok(known)
}

/// The sample membership, versions, kept conflicts and review steps of some households.
async fn household_facts(
    tx: &mut Tx<'_>,
    known: &mut Known,
    draw: &str,
    households: &[&str],
    hashes: &[&str],
) -> Result<(), sqlx::Error> {
    let list = placeholders(2, households.len());
    let run = |sql: String| {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(draw.to_string());
        for h in households {
            q = q.bind(h.to_string());
        }
        q
    };
    let key = |h: String| (draw.to_string(), h);
    let sampled = run(format!(
        "SELECT household_id FROM sample_households WHERE draw_id = $1 AND household_id IN ({list})"
    ))
    .fetch_all(&mut **tx)
    .await?;
    for r in sampled {
        known.sampled.insert(key(r.try_get(0)?));
    }
    // Only the current versions and those with a batch's content, each through an index: a
    // household's history (every earlier version) is not read, however long it grows.
    let current = run(format!(
        "SELECT household_id, version, content_sha256, 1 \
         FROM visits WHERE draw_id = $1 AND household_id IN ({list}) AND is_current"
    ))
    .fetch_all(&mut **tx)
    .await?;
    let sql = format!(
        "SELECT household_id, version, content_sha256, 0 \
         FROM visits WHERE draw_id = $1 AND household_id IN ({list}) \
         AND content_sha256 IN ({})",
        placeholders(2 + households.len(), hashes.len())
    );
    let mut q = run(sql);
    for h in hashes {
        q = q.bind(h.to_string());
    }
    let mut versions = current;
    versions.extend(q.fetch_all(&mut **tx).await?);
    for r in versions {
        let household: String = r.try_get(0)?;
        let version: i64 = r.try_get(1)?;
        let hash: String = r.try_get(2)?;
        if r.try_get::<i64, _>(3)? == 1 {
            known
                .current
                .insert(key(household.clone()), (version, hash.clone()));
        }
        known
            .versions
            .insert((draw.to_string(), household, hash), version);
    }
    let conflicts = run(format!(
        "SELECT household_id, content_sha256 FROM record_conflicts \
         WHERE draw_id = $1 AND household_id IN ({list}) AND resolved_by IS NULL"
    ))
    .fetch_all(&mut **tx)
    .await?;
    for r in conflicts {
        known
            .conflicts
            .insert((draw.to_string(), r.try_get(0)?, r.try_get(1)?));
    }
    let reviewed = run(format!(
        "SELECT DISTINCT household_id FROM finding_steps WHERE draw_id = $1 AND household_id IN ({list})"
    ))
    .fetch_all(&mut **tx)
    .await?;
    for r in reviewed {
        known.reviewed.insert(key(r.try_get(0)?));
    }
    Ok(())
}

/// A record's canonical JSON and its content hash.
struct Prepared {
    json: String,
    hash: String,
}

/// A judged batch, written with a few set statements rather than several per record: inside
/// the writers' lock, each round trip to the database is time every other writer waits.
struct Batch<'a> {
    account: &'a str,
    now: &'a str,
    uploads: &'a [Upload],
    prepared: &'a [Prepared],
    answers: &'a [UploadAnswer],
}

/// Rows per multi-row INSERT: 100 rows of at most 10 values stay far below both engines'
/// limits on bound parameters.
const ROWS: usize = 100;

impl Batch<'_> {
    /// Writes the versions, kept conflicts and acknowledgements; returns their audit entries.
    async fn write(&self, tx: &mut Tx<'_>) -> Result<Vec<assess_audit::NewEntry>, sqlx::Error> {
        let mut logged = Vec::new();
        let accepted: Vec<(usize, i64, usize)> = self
            .answers
            .iter()
            .enumerate()
            .filter_map(|(i, a)| match a.outcome {
                UploadOutcome::Accepted {
                    version,
                    resolved_conflicts,
                } => Some((i, version, resolved_conflicts)),
                _ => None,
            })
            .collect();
        self.retire_current(tx, &accepted).await?;
        // The last accepted version of a household in the batch is its current one.
        let mut last: HashMap<(&str, &str), usize> = HashMap::new();
        for &(i, _, _) in &accepted {
            let v = &self.uploads[i].visit;
            last.insert((v.draw_id.as_str(), v.household_id.as_str()), i);
        }
        let source = format!("upload by {}", self.account);
        for chunk in accepted.chunks(ROWS) {
            let sql = format!(
                "INSERT INTO visits (draw_id, household_id, version, disposition, record_json, \
                 content_sha256, is_current, imported_at, source_file, stage) VALUES {}",
                rows(chunk.len(), 10)
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for &(i, version, _) in chunk {
                let (v, p) = (&self.uploads[i].visit, &self.prepared[i]);
                let current = last[&(v.draw_id.as_str(), v.household_id.as_str())] == i;
                q = q
                    .bind(v.draw_id.clone())
                    .bind(v.household_id.clone())
                    .bind(version)
                    .bind(v.disposition.code())
                    .bind(p.json.clone())
                    .bind(p.hash.clone())
                    .bind(current)
                    .bind(self.now.to_string())
                    .bind(source.clone())
                    .bind("field");
                logged.push(crate::audit::record_entry(
                    v, version, &p.json, &p.hash, self.now, &source, "field",
                ));
            }
            q.execute(&mut **tx).await?;
        }
        for &(i, version, resolved) in &accepted {
            if resolved > 0 {
                let v = &self.uploads[i].visit;
                sqlx::query(
                    "UPDATE record_conflicts SET resolved_by = $1 \
                     WHERE draw_id = $2 AND household_id = $3 AND resolved_by IS NULL",
                )
                .bind(version)
                .bind(&v.draw_id)
                .bind(&v.household_id)
                .execute(&mut **tx)
                .await?;
            }
        }
        for (i, a) in self.answers.iter().enumerate() {
            if let UploadOutcome::Conflict {
                current_version, ..
            } = a.outcome
            {
                logged.push(self.keep_conflict(tx, i, current_version).await?);
            }
        }
        self.acknowledge(tx).await?;
        Ok(logged)
    }

    /// The households that get a new version no longer have their old one current.
    async fn retire_current(
        &self,
        tx: &mut Tx<'_>,
        accepted: &[(usize, i64, usize)],
    ) -> Result<(), sqlx::Error> {
        let mut by_draw: HashMap<&str, BTreeSet<&str>> = HashMap::new();
        for &(i, version, _) in accepted {
            let v = &self.uploads[i].visit;
            // Version 1 of a household had nothing current before; a later version of the
            // same batch is inserted after the retirement, so it is untouched.
            if version > 1 {
                by_draw
                    .entry(v.draw_id.as_str())
                    .or_default()
                    .insert(v.household_id.as_str());
            }
        }
        for (draw, households) in by_draw {
            let households: Vec<&str> = households.into_iter().collect();
            for chunk in households.chunks(CHUNK) {
                let sql = format!(
                    "UPDATE visits SET is_current = $1 WHERE draw_id = $2 AND is_current \
                     AND household_id IN ({})",
                    placeholders(3, chunk.len())
                );
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(false)
                    .bind(draw.to_string());
                for h in chunk {
                    q = q.bind(h.to_string());
                }
                q.execute(&mut **tx).await?;
            }
        }
        Ok(())
    }

    /// Keeps a conflicting record beside the current version; its audit entry.
    async fn keep_conflict(
        &self,
        tx: &mut Tx<'_>,
        i: usize,
        current_version: i64,
    ) -> Result<assess_audit::NewEntry, sqlx::Error> {
        let (upload, p) = (&self.uploads[i], &self.prepared[i]);
        let v = &upload.visit;
        sqlx::query(
            "INSERT INTO record_conflicts (draw_id, household_id, content_sha256, record_json, \
             base_sha256, current_version, record_id, account, received_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&v.draw_id)
        .bind(&v.household_id)
        .bind(&p.hash)
        .bind(&p.json)
        .bind(upload.base_sha256.clone())
        .bind(current_version)
        .bind(&upload.record_id)
        .bind(self.account)
        .bind(self.now)
        .execute(&mut **tx)
        .await?;
        // A kept conflict is in the chain (its key and the record's content hash), though
        // `audit verify` does not yet check the table against it.
        Ok(assess_audit::NewEntry::new(
            "conflict.keep",
            &assess_audit::ObjectRef {
                kind: assess_audit::ObjectKind::Other("conflict".into()),
                key: format!("{}/{}/{}", v.draw_id, v.household_id, p.hash),
            },
            p.hash.clone(),
        ))
    }

    /// Remembers every accepted or kept upload by record id and content, so a retry is
    /// answered from here.
    async fn acknowledge(&self, tx: &mut Tx<'_>) -> Result<(), sqlx::Error> {
        let acknowledged: Vec<(usize, &str, Option<i64>)> = self
            .answers
            .iter()
            .enumerate()
            .filter_map(|(i, a)| match a.outcome {
                UploadOutcome::Accepted { version, .. } => Some((i, "accepted", Some(version))),
                UploadOutcome::Conflict { .. } => Some((i, "conflict", None)),
                _ => None,
            })
            .collect();
        for chunk in acknowledged.chunks(ROWS) {
            let sql = format!(
                "INSERT INTO record_uploads (record_id, content_sha256, draw_id, household_id, \
                 outcome, version, account, received_at) VALUES {}",
                rows(chunk.len(), 8)
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for &(i, outcome, version) in chunk {
                let (u, p) = (&self.uploads[i], &self.prepared[i]);
                q = q
                    .bind(u.record_id.clone())
                    .bind(p.hash.clone())
                    .bind(u.visit.draw_id.clone())
                    .bind(u.visit.household_id.clone())
                    .bind(outcome)
                    .bind(version)
                    .bind(self.account.to_string())
                    .bind(self.now.to_string());
            }
            q.execute(&mut **tx).await?;
        }
        // The household each new record id names (an id seen before names it already).
        let mut named: Vec<(&str, &str, &str)> = acknowledged
            .iter()
            .map(|&(i, _, _)| {
                let u = &self.uploads[i];
                (
                    u.record_id.as_str(),
                    u.visit.draw_id.as_str(),
                    u.visit.household_id.as_str(),
                )
            })
            .collect();
        named.sort_unstable();
        named.dedup_by_key(|n| n.0);
        for chunk in named.chunks(ROWS) {
            let sql = format!(
                "INSERT INTO record_ids (record_id, draw_id, household_id) VALUES {} \
                 ON CONFLICT (record_id) DO NOTHING",
                rows(chunk.len(), 3)
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (id, draw, household) in chunk {
                q = q
                    .bind(id.to_string())
                    .bind(draw.to_string())
                    .bind(household.to_string());
            }
            q.execute(&mut **tx).await?;
        }
        Ok(())
    }
}

/// `($1, ..., $w), ($w+1, ...), ...` for `n` rows of `w` values.
fn rows(n: usize, w: usize) -> String {
    (0..n)
        .map(|r| format!("({})", placeholders(r * w + 1, w)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Updates what is known after one upload, so that later records of the same batch (the same
/// household twice, a record id reused) are judged against it.
fn remember(known: &mut Known, upload: &Upload, hash: &str, outcome: &UploadOutcome) {
    let v = &upload.visit;
    let hash = hash.to_string();
    let key = (v.draw_id.clone(), v.household_id.clone());
    match outcome {
        UploadOutcome::Accepted { version, .. } => {
            known.current.insert(key.clone(), (*version, hash.clone()));
            known
                .versions
                .insert((key.0.clone(), key.1.clone(), hash.clone()), *version);
            known
                .conflicts
                .retain(|(d, h, _)| *d != key.0 || *h != key.1);
        }
        UploadOutcome::Conflict { .. } => {
            known
                .conflicts
                .insert((key.0.clone(), key.1.clone(), hash.clone()));
        }
        UploadOutcome::Unchanged { .. } | UploadOutcome::Refused { .. } => return,
    }
    known
        .record_ids
        .entry(upload.record_id.clone())
        .or_insert(key);
    known.acknowledged.insert(
        (upload.record_id.clone(), hash),
        UploadOutcome::Unchanged { version: None },
    );
}
