//! The audit log's store side (docs/audit.md): every write transaction appends its entries
//! to `audit_log` in the same transaction ([`append`]), and verification reads the entries
//! and every stored object's content hash, recomputed from the object's stored row, in one
//! consistent snapshot ([`Store::audit_snapshot`]).
//!
//! Content hashes (the exact fields are in docs/audit.md): a photo's or an evidence file's is
//! the SHA-256 of its bytes; a record version's, a photo link's, a step's and a draw's is the
//! SHA-256 of the canonical list of its row's columns (`assess_audit::fields_sha256`). The
//! same functions hash an object when it is written (inside the write transaction) and when it
//! is verified, so the two can differ only when the stored row changed.
//!
//! Appends are serialised: SQLite takes the write lock at `BEGIN IMMEDIATE`; on PostgreSQL
//! every write transaction starts by locking `audit_log` (`Store::begin_write`), before its
//! snapshot is taken, so it sees the last entry of every writer before it.

use crate::{Store, StoreError};
use assess_audit::{fields_sha256, sha256_hex, Entry, Field, NewEntry, ObjectKind, ObjectRef};
use assess_audit::{Head, ObjectView, GENESIS};
use futures_util::TryStreamExt;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use std::collections::BTreeMap;

type Tx<'a> = sqlx::Transaction<'a, sqlx::Any>;

/// The columns of a record version that its hash covers (all but `is_current`, which marks
/// the latest version and changes when the next is stored).
macro_rules! record_columns {
    () => {
        "draw_id, household_id, version, disposition, stage, source_file, imported_at, \
         content_sha256, record_json"
    };
}

macro_rules! link_columns {
    () => {
        "draw_id, household_id, photo_sha256, measurements_json, results_json, flags_json, added_at"
    };
}

macro_rules! step_columns {
    () => {
        "draw_id, household_id, seq, step, actor, acted_at, reason, evidence_json, \
         record_version, recorded_at"
    };
}

macro_rules! step_evidence_columns {
    () => {
        "draw_id, household_id, seq, position, file_sha256, photo_sha256, file_name"
    };
}

/// The actor of the entries that log what a database held when its log began.
pub const BASELINE_ACTOR: &str = "assess (objects made before the audit log)";

/// The entries and the stored objects, read in one snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditSnapshot {
    /// Every entry, by sequence.
    pub entries: Vec<Entry>,
    /// Every stored object of the kinds the store logs, with its content hash recomputed.
    pub view: ObjectView,
}

/// The kinds of object the store logs and can check.
pub fn logged_kinds() -> std::collections::BTreeSet<ObjectKind> {
    [
        ObjectKind::Draw,
        ObjectKind::Record,
        ObjectKind::Photo,
        ObjectKind::PhotoLink,
        ObjectKind::Step,
        ObjectKind::Evidence,
    ]
    .into()
}

impl Store {
    /// Every audit entry, by sequence.
    pub async fn audit_entries(&self) -> Result<Vec<Entry>, StoreError> {
        let mut conn = self.pool().acquire().await.map_err(|e| self.db_error(e))?;
        entries(&mut conn).await.map_err(|e| self.db_error(e))
    }

    /// The chain head now: the last entry's sequence number and hash, and how many entries
    /// the log holds, taken now.
    pub async fn audit_head(&self) -> Result<Head, StoreError> {
        let db = |e| self.db_error(e);
        let row = sqlx::query(
            "SELECT sequence, entry_hash, (SELECT COUNT(*) FROM audit_log) FROM audit_log \
             ORDER BY sequence DESC LIMIT 1",
        )
        .fetch_optional(self.pool())
        .await
        .map_err(db)?;
        let (sequence, entry_hash, entries) = match row {
            Some(r) => (
                r.try_get(0).map_err(db)?,
                r.try_get(1).map_err(db)?,
                r.try_get(2).map_err(db)?,
            ),
            None => (0, GENESIS.to_string(), 0),
        };
        Ok(Head {
            sequence,
            entry_hash,
            entries,
            time: crate::now_rfc3339(),
        })
    }

    /// The entries and every stored object's content hash, recomputed from its content, read
    /// in one snapshot (so a write going on meanwhile is seen whole or not at all).
    pub async fn audit_snapshot(&self) -> Result<AuditSnapshot, StoreError> {
        let db = |e| self.db_error(e);
        let mut tx = match self.backend() {
            crate::Backend::Postgres => {
                self.pool()
                    .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .await
            }
            crate::Backend::Sqlite => self.pool().begin().await,
        }
        .map_err(db)?;
        let entries = entries(&mut tx).await.map_err(db)?;
        let view = objects(&mut tx).await.map_err(db)?;
        tx.rollback().await.map_err(db)?;
        Ok(AuditSnapshot { entries, view })
    }

    /// Logs, once, every object the database held when its audit log began (the migration
    /// leaves a mark that this is pending); nothing when it is done already.
    pub(crate) async fn audit_baseline(&self) -> Result<(), StoreError> {
        // A plain read first, so that opening a database whose baseline is done (every open
        // but the first) never waits for a writer's lock.
        if !baseline_pending(
            self.pool()
                .acquire()
                .await
                .map_err(|e| self.db_error(e))?
                .as_mut(),
        )
        .await
        .map_err(|e| self.db_error(e))?
        {
            return Ok(());
        }
        self.retrying(|| self.audit_baseline_once()).await
    }

    async fn audit_baseline_once(&self) -> Result<(), StoreError> {
        let db = |e| self.db_error(e);
        let mut tx = self.begin_write().await.map_err(db)?;
        if !baseline_pending(&mut tx).await.map_err(db)? {
            tx.rollback().await.map_err(db)?;
            return Ok(());
        }
        let view = objects(&mut tx).await.map_err(db)?;
        let baseline: Vec<NewEntry> = view
            .objects
            .iter()
            .map(|(object, hash)| {
                NewEntry::new(&object.kind.baseline_action(), object, hash.clone())
            })
            .collect();
        let count = baseline.len();
        append(&mut tx, BASELINE_ACTOR, baseline)
            .await
            .map_err(db)?;
        sqlx::query("UPDATE audit_state SET value = 'done' WHERE name = 'baseline'")
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)?;
        if count > 0 {
            tracing::info!(
                objects = count,
                "audit log begun: objects made before it logged"
            );
        }
        Ok(())
    }
}

/// Whether the objects made before the log are still to be logged.
async fn baseline_pending(conn: &mut AnyConnection) -> Result<bool, sqlx::Error> {
    let state = sqlx::query("SELECT value FROM audit_state WHERE name = 'baseline'")
        .fetch_optional(&mut *conn)
        .await?;
    Ok(match state {
        Some(r) => r.try_get::<String, _>(0)? == "pending",
        None => false,
    })
}

/// Appends `new` to the log, after its last entry, in the caller's write transaction.
pub(crate) async fn append(
    tx: &mut Tx<'_>,
    actor: &str,
    new: Vec<NewEntry>,
) -> Result<(), sqlx::Error> {
    if new.is_empty() {
        return Ok(());
    }
    let tail =
        sqlx::query("SELECT sequence, entry_hash FROM audit_log ORDER BY sequence DESC LIMIT 1")
            .fetch_optional(&mut **tx)
            .await?;
    let mut prev: Option<(i64, String)> = match tail {
        Some(r) => Some((r.try_get(0)?, r.try_get(1)?)),
        None => None,
    };
    let time = crate::now_rfc3339();
    for n in new {
        let e = Entry::next(
            prev.as_ref().map(|(s, h)| (*s, h.as_str())),
            &time,
            actor,
            n,
        );
        sqlx::query(
            "INSERT INTO audit_log (sequence, logged_at, actor, action, object_key, \
             content_sha256, prev_hash, entry_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(e.sequence)
        .bind(&e.time)
        .bind(&e.actor)
        .bind(&e.action)
        .bind(&e.key)
        .bind(&e.content_sha256)
        .bind(&e.prev_hash)
        .bind(&e.entry_hash)
        .execute(&mut **tx)
        .await?;
        prev = Some((e.sequence, e.entry_hash));
    }
    Ok(())
}

async fn entries(conn: &mut AnyConnection) -> Result<Vec<Entry>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT sequence, logged_at, actor, action, object_key, content_sha256, prev_hash, \
         entry_hash FROM audit_log ORDER BY sequence",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Entry {
                sequence: r.try_get(0)?,
                time: r.try_get(1)?,
                actor: r.try_get(2)?,
                action: r.try_get(3)?,
                key: r.try_get(4)?,
                content_sha256: r.try_get(5)?,
                prev_hash: r.try_get(6)?,
                entry_hash: r.try_get(7)?,
            })
        })
        .collect()
}

/// Every stored object of the logged kinds with its content hash.
async fn objects(conn: &mut AnyConnection) -> Result<ObjectView, sqlx::Error> {
    let mut objects = BTreeMap::new();
    let draw_ids: Vec<String> = sqlx::query("SELECT draw_id FROM draws ORDER BY draw_id")
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?;
    for id in draw_ids {
        let hash = draw_hash(conn, &id).await?;
        objects.insert(ObjectRef::draw(&id), hash);
    }
    {
        let mut rows =
            sqlx::query(concat!("SELECT ", record_columns!(), " FROM visits")).fetch(&mut *conn);
        while let Some(r) = rows.try_next().await? {
            let (object, hash) = record_of_row(&r)?;
            objects.insert(object, hash);
        }
    }
    for (table, kind) in [
        ("photos", ObjectKind::Photo),
        ("evidence_files", ObjectKind::Evidence),
    ] {
        let sql = sqlx::AssertSqlSafe(format!("SELECT sha256, content FROM {table}"));
        let mut rows = sqlx::query(sql).fetch(&mut *conn);
        while let Some(r) = rows.try_next().await? {
            let key: String = r.try_get(0)?;
            let content: Vec<u8> = r.try_get(1)?;
            objects.insert(
                ObjectRef {
                    kind: kind.clone(),
                    key,
                },
                sha256_hex(&content),
            );
        }
    }
    let links = sqlx::query(concat!("SELECT ", link_columns!(), " FROM photo_links"))
        .fetch_all(&mut *conn)
        .await?;
    for r in &links {
        let (object, hash) = link_of_row(r)?;
        objects.insert(object, hash);
    }
    let mut evidence: BTreeMap<(String, String, i64), Vec<AnyRow>> = BTreeMap::new();
    for r in sqlx::query(concat!(
        "SELECT ",
        step_evidence_columns!(),
        " FROM finding_step_evidence ORDER BY position"
    ))
    .fetch_all(&mut *conn)
    .await?
    {
        let key = (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?);
        evidence.entry(key).or_default().push(r);
    }
    for r in sqlx::query(concat!("SELECT ", step_columns!(), " FROM finding_steps"))
        .fetch_all(&mut *conn)
        .await?
    {
        let key: (String, String, i64) = (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?);
        let links = evidence.get(&key).map_or(&[][..], Vec::as_slice);
        let hash = step_hash(&r, links)?;
        objects.insert(ObjectRef::step(&key.0, &key.1, key.2), hash);
    }
    Ok(ObjectView {
        kinds: logged_kinds(),
        objects,
    })
}

/// A record version's content hash: SHA-256 over `["assess-record/1", draw_id, household_id,
/// version, disposition, stage, source_file, imported_at, content_sha256, record_json]`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn record_hash(
    draw_id: &str,
    household_id: &str,
    version: i64,
    disposition: &str,
    stage: &str,
    source_file: &str,
    imported_at: &str,
    content_sha256: &str,
    record_json: &str,
) -> String {
    fields_sha256(&[
        Field::Text("assess-record/1"),
        Field::Text(draw_id),
        Field::Text(household_id),
        Field::Int(version),
        Field::Text(disposition),
        Field::Text(stage),
        Field::Text(source_file),
        Field::Text(imported_at),
        Field::Text(content_sha256),
        Field::Text(record_json),
    ])
}

fn record_of_row(r: &AnyRow) -> Result<(ObjectRef, String), sqlx::Error> {
    let text = |i| r.try_get::<String, _>(i);
    let (draw, household, version) = (text(0)?, text(1)?, r.try_get::<i64, _>(2)?);
    let hash = record_hash(
        &draw,
        &household,
        version,
        &text(3)?,
        &text(4)?,
        &text(5)?,
        &text(6)?,
        &text(7)?,
        &text(8)?,
    );
    Ok((ObjectRef::record(&draw, &household, version), hash))
}

/// The log entry of a record version just stored.
#[allow(clippy::too_many_arguments)]
pub(crate) fn record_entry(
    v: &assess_inspection::VisitRecord,
    version: i64,
    json: &str,
    hash: &str,
    imported_at: &str,
    file: &str,
    stage: &str,
) -> NewEntry {
    NewEntry::new(
        assess_audit::action::RECORD_VERSION,
        &ObjectRef::record(&v.draw_id, &v.household_id, version),
        record_hash(
            &v.draw_id,
            &v.household_id,
            version,
            v.disposition.code(),
            stage,
            file,
            imported_at,
            hash,
            json,
        ),
    )
}

/// A photo link's content hash: SHA-256 over `["assess-photo-link/1", draw_id,
/// household_id, photo_sha256, measurements_json, results_json, flags_json, added_at]`
/// (the two measurement columns text or null).
fn link_of_row(r: &AnyRow) -> Result<(ObjectRef, String), sqlx::Error> {
    let text = |i| r.try_get::<String, _>(i);
    let optional = |i| r.try_get::<Option<String>, _>(i);
    let (draw, household, photo) = (text(0)?, text(1)?, text(2)?);
    let (measurements, results) = (optional(3)?, optional(4)?);
    let hash = fields_sha256(&[
        Field::Text("assess-photo-link/1"),
        Field::Text(&draw),
        Field::Text(&household),
        Field::Text(&photo),
        measurements.as_deref().map_or(Field::Null, Field::Text),
        results.as_deref().map_or(Field::Null, Field::Text),
        Field::Text(&text(5)?),
        Field::Text(&text(6)?),
    ]);
    Ok((ObjectRef::photo_link(&draw, &household, &photo), hash))
}

/// The log entry of a photo link just made or replaced, hashed from its stored row.
pub(crate) async fn link_entry(
    tx: &mut Tx<'_>,
    draw_id: &str,
    household_id: &str,
    photo_sha256: &str,
) -> Result<NewEntry, sqlx::Error> {
    let row = sqlx::query(concat!(
        "SELECT ",
        link_columns!(),
        " FROM photo_links WHERE draw_id = $1 AND household_id = $2 AND photo_sha256 = $3"
    ))
    .bind(draw_id)
    .bind(household_id)
    .bind(photo_sha256)
    .fetch_one(&mut **tx)
    .await?;
    let (object, hash) = link_of_row(&row)?;
    Ok(NewEntry::new(
        assess_audit::action::PHOTO_LINK,
        &object,
        hash,
    ))
}

/// A step's content hash: SHA-256 over `["assess-step/1", draw_id, household_id, seq, step,
/// actor, acted_at, reason, evidence_json, record_version, recorded_at]` followed, for each of
/// its evidence links by position, by `[position, file_sha256, photo_sha256, file_name]`
/// (text or null).
fn step_hash(step: &AnyRow, links: &[AnyRow]) -> Result<String, sqlx::Error> {
    let text = |i| step.try_get::<String, _>(i);
    let strings = [
        text(0)?,
        text(1)?,
        text(3)?,
        text(4)?,
        text(5)?,
        text(6)?,
        text(7)?,
        text(9)?,
    ];
    let mut link_values = Vec::with_capacity(links.len());
    for l in links {
        let optional = |i| l.try_get::<Option<String>, _>(i);
        link_values.push((
            l.try_get::<i64, _>(3)?,
            optional(4)?,
            optional(5)?,
            optional(6)?,
        ));
    }
    let mut fields = vec![
        Field::Text("assess-step/1"),
        Field::Text(&strings[0]),
        Field::Text(&strings[1]),
        Field::Int(step.try_get(2)?),
        Field::Text(&strings[2]),
        Field::Text(&strings[3]),
        Field::Text(&strings[4]),
        Field::Text(&strings[5]),
        Field::Text(&strings[6]),
        Field::Int(step.try_get(8)?),
        Field::Text(&strings[7]),
    ];
    fn or_null(s: &Option<String>) -> Field<'_> {
        s.as_deref().map_or(Field::Null, Field::Text)
    }
    for (position, file, photo, name) in &link_values {
        fields.extend([
            Field::Int(*position),
            or_null(file),
            or_null(photo),
            or_null(name),
        ]);
    }
    Ok(fields_sha256(&fields))
}

/// The log entry of a step just recorded, hashed from its stored rows.
pub(crate) async fn step_entry(
    tx: &mut Tx<'_>,
    draw_id: &str,
    household_id: &str,
    seq: i64,
) -> Result<NewEntry, sqlx::Error> {
    let step = sqlx::query(concat!(
        "SELECT ",
        step_columns!(),
        " FROM finding_steps WHERE draw_id = $1 AND household_id = $2 AND seq = $3"
    ))
    .bind(draw_id)
    .bind(household_id)
    .bind(seq)
    .fetch_one(&mut **tx)
    .await?;
    let links = sqlx::query(concat!(
        "SELECT ",
        step_evidence_columns!(),
        " FROM finding_step_evidence WHERE draw_id = $1 AND household_id = $2 AND seq = $3 \
         ORDER BY position"
    ))
    .bind(draw_id)
    .bind(household_id)
    .bind(seq)
    .fetch_all(&mut **tx)
    .await?;
    Ok(NewEntry::new(
        assess_audit::action::STEP_RECORD,
        &ObjectRef::step(draw_id, household_id, seq),
        step_hash(&step, &links)?,
    ))
}

/// The log entry of bytes stored by their SHA-256 (a photo's or an evidence file's): the
/// content hash is that of the bytes themselves.
pub(crate) fn bytes_entry(action: &str, object: &ObjectRef, content: &[u8]) -> NewEntry {
    NewEntry::new(action, object, sha256_hex(content))
}

/// A draw's content hash: SHA-256 over `["assess-draw/1"]`, its `draws` row, then each of its
/// `sample_villages` rows by village code, then each `sample_households` row by household id,
/// each row a marker text (`draw`, `village`, `household`) and its columns in the order of the
/// statements below (booleans as integers 0/1, numbers as stored, text or null).
pub(crate) async fn draw_hash(
    conn: &mut AnyConnection,
    draw_id: &str,
) -> Result<String, sqlx::Error> {
    const DRAW: &str =
        "SELECT draw_id, scheme_version, plan_name, plan_sha256, frame_fingerprint, \
         frame_households, villages_sha256, division_vintage, village_seed_commitment, \
         household_seed_commitment, sample_villages_sha256, manifest_json, drawn_at \
         FROM draws WHERE draw_id = $1";
    const VILLAGES: &str = "SELECT village_code, county_code, township_code, village_stratum, \
         selection, CAST(CASE WHEN certainty THEN 1 ELSE 0 END AS BIGINT), pi_village, size, \
         tickets, lon, lat FROM sample_villages WHERE draw_id = $1 ORDER BY village_code";
    const HOUSEHOLDS: &str = "SELECT household_id, county_code, township_code, village_code, \
         village_stratum, stratum, role, reserve_rank, ticket, pi_village, pi_household, pi, \
         weight, CAST(CASE WHEN certainty THEN 1 ELSE 0 END AS BIGINT), selection, members, \
         head_name, villager_group, address, phone FROM sample_households WHERE draw_id = $1 \
         ORDER BY household_id";
    let mut values: Vec<Value> = vec![Value::Text("assess-draw/1".into())];
    for (marker, sql) in [
        ("draw", DRAW),
        ("village", VILLAGES),
        ("household", HOUSEHOLDS),
    ] {
        let rows = sqlx::query(sql).bind(draw_id).fetch_all(&mut *conn).await?;
        for r in &rows {
            values.push(Value::Text(marker.into()));
            for i in 0..r.len() {
                values.push(Value::read(r, i)?);
            }
        }
    }
    let fields: Vec<Field<'_>> = values.iter().map(Value::field).collect();
    Ok(fields_sha256(&fields))
}

/// The log entry of a draw just imported, or whose facts were just added.
pub(crate) async fn draw_entry(
    tx: &mut Tx<'_>,
    action: &str,
    draw_id: &str,
) -> Result<NewEntry, sqlx::Error> {
    let hash = draw_hash(tx, draw_id).await?;
    Ok(NewEntry::new(action, &ObjectRef::draw(draw_id), hash))
}

/// A column's value, whatever its type.
enum Value {
    Null,
    Int(i64),
    Float(f64),
    Text(String),
}

impl Value {
    fn read(r: &AnyRow, i: usize) -> Result<Value, sqlx::Error> {
        if let Ok(v) = r.try_get::<Option<String>, _>(i) {
            return Ok(v.map_or(Value::Null, Value::Text));
        }
        if let Ok(v) = r.try_get::<Option<i64>, _>(i) {
            return Ok(v.map_or(Value::Null, Value::Int));
        }
        Ok(r.try_get::<Option<f64>, _>(i)?
            .map_or(Value::Null, Value::Float))
    }

    fn field(&self) -> Field<'_> {
        match self {
            Value::Null => Field::Null,
            Value::Int(i) => Field::Int(*i),
            Value::Float(f) => Field::Float(*f),
            Value::Text(s) => Field::Text(s),
        }
    }
}
