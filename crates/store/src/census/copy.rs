//! Loads through `COPY ... FROM STDIN` (text format), a batch and its checkpoint in one
//! transaction.

use super::schema::{self, create_partitions, is_province, Column};
use super::{CensusDb, CensusDbError, Checkpoint, MemberRow, RegisterRow, ReturnRow};
use sqlx::{PgConnection, Postgres, Transaction};
use std::collections::HashSet;
use std::fmt::Write as _;

/// Bytes encoded before they are sent to the server.
const CHUNK: usize = 1 << 20;

/// One batch of a load: its rows go in with `COPY`, and [`Batch::commit`] records the
/// checkpoint in the same transaction. A batch dropped without commit (an error, a killed
/// process, a lost connection) is rolled back whole: nothing of it is written.
pub struct Batch {
    db: CensusDb,
    tx: Transaction<'static, Postgres>,
    returns: u64,
    members: u64,
    register: u64,
    created: HashSet<String>,
    failed: bool,
}

impl std::fmt::Debug for Batch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Batch")
            .field("returns", &self.returns)
            .field("members", &self.members)
            .field("register", &self.register)
            .field("failed", &self.failed)
            .finish()
    }
}

impl CensusDb {
    /// Begins a batch (a transaction). A load is a series of batches, each ended by
    /// [`Batch::commit`] with the input's offset reached.
    pub async fn begin_batch(&self) -> Result<Batch, CensusDbError> {
        let tx = self.pool.begin().await.map_err(|e| self.db_error(e))?;
        Ok(Batch {
            db: self.clone(),
            tx,
            returns: 0,
            members: 0,
            register: 0,
            created: HashSet::new(),
            failed: false,
        })
    }
}

impl Batch {
    /// Copies returns into `census_returns`. A return id already held in its county fails
    /// the batch (the primary key): skip held returns first ([`CensusDb::held_returns`]).
    pub async fn copy_returns(&mut self, rows: &[ReturnRow]) -> Result<u64, CensusDbError> {
        let n = self.copy::<ReturnRow>(rows).await?;
        self.returns += n;
        Ok(n)
    }

    /// Copies member rows into `census_members`.
    pub async fn copy_members(&mut self, rows: &[MemberRow]) -> Result<u64, CensusDbError> {
        let n = self.copy::<MemberRow>(rows).await?;
        self.members += n;
        Ok(n)
    }

    /// Copies register rows into `census_register`.
    pub async fn copy_register(&mut self, rows: &[RegisterRow]) -> Result<u64, CensusDbError> {
        let n = self.copy::<RegisterRow>(rows).await?;
        self.register += n;
        Ok(n)
    }

    /// Records the checkpoint of `input` at `offset` (adding this batch's counts to the
    /// input's) and commits: the rows and the checkpoint are written together or not at all.
    /// An offset before the one recorded refuses the batch
    /// ([`CensusDbError::CheckpointBehind`]).
    pub async fn commit(self, input: &str, offset: u64) -> Result<Checkpoint, CensusDbError> {
        self.commit_with(input, offset, None).await
    }

    /// [`Batch::commit`], with the loader's own record of the input (`state`, JSON) kept in
    /// the checkpoint's row.
    pub(crate) async fn commit_with(
        mut self,
        input: &str,
        offset: u64,
        state: Option<&str>,
    ) -> Result<Checkpoint, CensusDbError> {
        if self.failed {
            return Err(CensusDbError::BatchFailed);
        }
        let db = self.db.clone();
        let count = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        let row = sqlx::query_as::<_, CheckpointRow>(UPSERT_CHECKPOINT)
            .bind(input)
            .bind(count(offset))
            .bind(count(self.returns))
            .bind(count(self.members))
            .bind(count(self.register))
            .bind(state)
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(|e| db.db_error(e))?;
        let Some(row) = row else {
            let stored = db.checkpoint(input).await?.map_or(0, |c| c.offset);
            return Err(CensusDbError::CheckpointBehind {
                input: input.to_string(),
                stored,
                given: offset,
            });
        };
        self.tx.commit().await.map_err(|e| db.db_error(e))?;
        db.partitions
            .lock()
            .expect("the partition set is never poisoned")
            .extend(self.created);
        Ok(row.into_checkpoint(input))
    }

    /// Adds refused returns of `input` to `census_ingest_rejects`, after those it holds, in
    /// this batch's transaction.
    pub(crate) async fn insert_rejects(
        &mut self,
        input: &str,
        rejects: &[assess_census::Reject],
    ) -> Result<(), CensusDbError> {
        if self.failed {
            return Err(CensusDbError::BatchFailed);
        }
        if rejects.is_empty() {
            return Ok(());
        }
        let result = sqlx::query(
            "INSERT INTO census_ingest_rejects (input_id, seq, file, line, return_id, field, reason) \
             SELECT $1, coalesce((SELECT max(seq) FROM census_ingest_rejects WHERE input_id = $1), 0) \
               + r.k, r.file, r.line, r.return_id, r.field, r.reason \
             FROM unnest($2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[]) \
               WITH ORDINALITY AS r(file, line, return_id, field, reason, k)",
        )
        .bind(input)
        .bind(rejects.iter().map(|r| r.file.clone()).collect::<Vec<_>>())
        .bind(
            rejects
                .iter()
                .map(|r| i64::try_from(r.line).unwrap_or(i64::MAX))
                .collect::<Vec<_>>(),
        )
        .bind(rejects.iter().map(|r| r.return_id.clone()).collect::<Vec<_>>())
        .bind(rejects.iter().map(|r| r.field.clone()).collect::<Vec<_>>())
        .bind(rejects.iter().map(|r| r.reason.clone()).collect::<Vec<_>>())
        .execute(&mut *self.tx)
        .await;
        if let Err(e) = result {
            self.failed = true;
            return Err(self.db.db_error(e));
        }
        Ok(())
    }

    async fn copy<R: CopyRow>(&mut self, rows: &[R]) -> Result<u64, CensusDbError> {
        if self.failed {
            return Err(CensusDbError::BatchFailed);
        }
        let result = self.copy_inner(rows).await;
        if result.is_err() {
            self.failed = true;
        }
        result
    }

    async fn copy_inner<R: CopyRow>(&mut self, rows: &[R]) -> Result<u64, CensusDbError> {
        if rows.is_empty() {
            return Ok(0);
        }
        // Every row is checked before anything is sent: a bad row fails the batch before the
        // server sees it.
        let provinces = check_provinces(rows)?;
        let db = self.db.clone();
        let known = db
            .partitions
            .lock()
            .expect("the partition set is never poisoned")
            .clone();
        let mut missing: Vec<&str> = provinces
            .into_iter()
            .filter(|p| !known.contains(*p) && !self.created.contains(*p))
            .collect();
        missing.sort_unstable();
        for province in missing {
            create_partitions(&mut self.tx, province)
                .await
                .map_err(|e| db.db_error(e))?;
            self.created.insert(province.to_string());
        }
        copy_rows(&db, &mut self.tx, R::TABLE, rows).await
    }
}

/// Checks that every row's province is two digits and its county's first two; returns the
/// provinces met.
pub(crate) fn check_provinces<R: CopyRow>(rows: &[R]) -> Result<HashSet<&str>, CensusDbError> {
    let mut provinces = HashSet::new();
    for row in rows {
        let (province, county) = (row.province(), row.county());
        if !is_province(province) || !county.starts_with(province) {
            return Err(CensusDbError::BadProvince {
                table: R::TABLE,
                key: row.key().to_string(),
                province: province.to_string(),
                county: county.to_string(),
            });
        }
        provinces.insert(province);
    }
    Ok(provinces)
}

/// Copies `rows` into `table` (a census table, or a staging table of the same columns) on
/// `conn`, in pieces of [`CHUNK`] bytes.
pub(crate) async fn copy_rows<R: CopyRow>(
    db: &CensusDb,
    conn: &mut PgConnection,
    table: &str,
    rows: &[R],
) -> Result<u64, CensusDbError> {
    if rows.is_empty() {
        return Ok(0);
    }
    let statement = format!(
        "COPY {table} ({}) FROM STDIN (FORMAT text)",
        schema::names(R::COLUMNS)
    );
    let mut buf = Vec::with_capacity(CHUNK + 4096);
    // Encode the first chunk before COPY starts, so that a NUL in it never reaches the
    // server; later chunks are encoded between sends, and an error aborts the COPY.
    let mut rows = rows.iter().peekable();
    let mut line = Line::new(&mut buf);
    while line.buf.len() < CHUNK {
        let Some(row) = rows.next() else { break };
        line.row(row)?;
    }
    let mut copy = conn
        .copy_in_raw(&statement)
        .await
        .map_err(|e| db.db_error(e))?;
    loop {
        copy.send(&buf[..]).await.map_err(|e| db.db_error(e))?;
        buf.clear();
        if rows.peek().is_none() {
            break;
        }
        let mut line = Line::new(&mut buf);
        let mut failed = None;
        while line.buf.len() < CHUNK {
            let Some(row) = rows.next() else { break };
            if let Err(e) = line.row(row) {
                failed = Some(e);
                break;
            }
        }
        if let Some(e) = failed {
            let _ = copy.abort("a row could not be encoded").await;
            return Err(e);
        }
    }
    copy.finish().await.map_err(|e| db.db_error(e))
}

/// A row of one of the census tables, written as a line of COPY's text format.
pub(crate) trait CopyRow {
    const TABLE: &'static str;
    const COLUMNS: &'static [Column];
    /// The row's key for messages (return or household id).
    fn key(&self) -> &str;
    fn province(&self) -> &str;
    fn county(&self) -> &str;
    /// Writes the columns, in `COLUMNS` order.
    fn write(&self, line: &mut Line<'_>);
}

/// One line of COPY's text format being written: fields separated by tabs, `\N` for NULL,
/// backslash, tab, newline and carriage return escaped (PostgreSQL, COPY, "Text Format").
pub(crate) struct Line<'a> {
    pub(crate) buf: &'a mut Vec<u8>,
    first: bool,
    /// The first column whose text held a NUL character.
    nul: Option<&'static str>,
}

impl<'a> Line<'a> {
    pub(crate) fn new(buf: &'a mut Vec<u8>) -> Line<'a> {
        Line {
            buf,
            first: true,
            nul: None,
        }
    }

    fn row<R: CopyRow>(&mut self, row: &R) -> Result<(), CensusDbError> {
        self.first = true;
        row.write(self);
        self.buf.push(b'\n');
        match self.nul.take() {
            Some(column) => Err(CensusDbError::Nul {
                table: R::TABLE,
                key: row.key().to_string(),
                column,
            }),
            None => Ok(()),
        }
    }

    fn sep(&mut self) {
        if !self.first {
            self.buf.push(b'\t');
        }
        self.first = false;
    }

    fn null(&mut self) {
        self.sep();
        self.buf.extend_from_slice(b"\\N");
    }

    pub(crate) fn text(&mut self, column: &'static str, value: &str) {
        self.sep();
        for &b in value.as_bytes() {
            match b {
                b'\\' => self.buf.extend_from_slice(b"\\\\"),
                b'\t' => self.buf.extend_from_slice(b"\\t"),
                b'\n' => self.buf.extend_from_slice(b"\\n"),
                b'\r' => self.buf.extend_from_slice(b"\\r"),
                0 => {
                    self.nul.get_or_insert(column);
                }
                _ => self.buf.push(b),
            }
        }
    }

    pub(crate) fn opt_text(&mut self, column: &'static str, value: Option<&str>) {
        match value {
            Some(v) => self.text(column, v),
            None => self.null(),
        }
    }

    pub(crate) fn int(&mut self, value: impl Into<i64>) {
        self.sep();
        let _ = write!(Fmt(self.buf), "{}", value.into());
    }

    pub(crate) fn opt_int(&mut self, value: Option<impl Into<i64>>) {
        match value {
            Some(v) => self.int(v),
            None => self.null(),
        }
    }

    pub(crate) fn opt_f64(&mut self, value: Option<f64>) {
        let Some(v) = value else {
            return self.null();
        };
        self.sep();
        // Rust writes the shortest decimal that reads back as the same double, never in
        // exponent form; PostgreSQL reads it back exactly.
        if v.is_nan() {
            self.buf.extend_from_slice(b"NaN");
        } else if v.is_infinite() {
            let text: &[u8] = if v > 0.0 { b"Infinity" } else { b"-Infinity" };
            self.buf.extend_from_slice(text);
        } else {
            let _ = write!(Fmt(self.buf), "{v}");
        }
    }

    pub(crate) fn opt_bool(&mut self, value: Option<bool>) {
        match value {
            Some(true) => {
                self.sep();
                self.buf.push(b't');
            }
            Some(false) => {
                self.sep();
                self.buf.push(b'f');
            }
            None => self.null(),
        }
    }
}

/// `fmt::Write` into a byte buffer.
struct Fmt<'a>(&'a mut Vec<u8>);

impl std::fmt::Write for Fmt<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

impl CopyRow for ReturnRow {
    const TABLE: &'static str = "census_returns";
    const COLUMNS: &'static [Column] = schema::RETURNS;
    fn key(&self) -> &str {
        &self.return_id
    }
    fn province(&self) -> &str {
        &self.province_code
    }
    fn county(&self) -> &str {
        &self.county_code
    }
    fn write(&self, l: &mut Line<'_>) {
        l.text("return_id", &self.return_id);
        l.text("household_id", &self.household_id);
        l.text("province_code", &self.province_code);
        l.text("county_code", &self.county_code);
        l.text("village_code", &self.village_code);
        l.text("enumerator_id", &self.enumerator_id);
        l.text("enumerator_home_county", &self.enumerator_home_county);
        l.text("outcome", self.outcome);
        l.int(self.start_unix);
        l.int(self.end_unix);
        l.opt_f64(self.gps_lat);
        l.opt_f64(self.gps_lon);
        l.text("content_sha256", &self.content_sha256);
        l.opt_text("answers_sha256", self.answers_sha256.as_deref());
        l.opt_text("status", self.status);
        l.int(self.members);
        l.opt_f64(self.poverty_line);
        l.opt_f64(self.income_per_person);
        for b in [
            self.income_ok,
            self.food_clothing,
            self.education,
            self.medical,
            self.housing,
            self.water,
            self.guarantees,
            self.poor,
            self.approval_exit,
        ] {
            l.opt_bool(b);
        }
        for f in [
            self.industrial_support_yuan,
            self.housing_renovation_yuan,
            self.education_aid_yuan,
            self.medical_aid_yuan,
            self.minimum_living_allowance_yuan,
        ] {
            l.opt_f64(f);
        }
        for b in [
            self.employment_support,
            self.public_welfare_post,
            self.relocated,
            self.extreme_poverty_support,
            self.microcredit,
        ] {
            l.opt_bool(b);
        }
    }
}

impl CopyRow for MemberRow {
    const TABLE: &'static str = "census_members";
    const COLUMNS: &'static [Column] = schema::MEMBERS;
    fn key(&self) -> &str {
        &self.return_id
    }
    fn province(&self) -> &str {
        self.county_code.get(..2).unwrap_or("")
    }
    fn county(&self) -> &str {
        &self.county_code
    }
    fn write(&self, l: &mut Line<'_>) {
        l.text("province_code", self.province());
        l.text("return_id", &self.return_id);
        l.text("household_id", &self.household_id);
        l.text("county_code", &self.county_code);
        l.text("village_code", &self.village_code);
        l.text("member_id", &self.member_id);
        l.opt_text("id_number", self.id_number.as_deref());
        l.opt_int(self.age);
        l.opt_text("sex", self.sex);
    }
}

impl CopyRow for RegisterRow {
    const TABLE: &'static str = "census_register";
    const COLUMNS: &'static [Column] = schema::REGISTER;
    fn key(&self) -> &str {
        &self.household_id
    }
    fn province(&self) -> &str {
        &self.province_code
    }
    fn county(&self) -> &str {
        &self.county_code
    }
    fn write(&self, l: &mut Line<'_>) {
        l.text("household_id", &self.household_id);
        l.text("province_code", &self.province_code);
        l.text("county_code", &self.county_code);
        l.text("township_code", &self.township_code);
        l.text("village_code", &self.village_code);
        l.text("status", self.status);
        l.int(self.members);
        l.opt_f64(self.lat);
        l.opt_f64(self.lon);
    }
}

/// Adds a batch to its input's checkpoint; no row when the stored offset is beyond the
/// batch's.
const UPSERT_CHECKPOINT: &str = "INSERT INTO census_ingest_checkpoints AS c \
       (input_id, offset_reached, returns, members, register, updated_at, state) \
     VALUES ($1, $2, $3, $4, $5, now(), $6::jsonb) \
     ON CONFLICT (input_id) DO UPDATE SET offset_reached = EXCLUDED.offset_reached, \
       returns = c.returns + EXCLUDED.returns, members = c.members + EXCLUDED.members, \
       register = c.register + EXCLUDED.register, updated_at = EXCLUDED.updated_at, \
       state = coalesce(EXCLUDED.state, c.state) \
     WHERE c.offset_reached <= EXCLUDED.offset_reached \
     RETURNING offset_reached, returns, members, register, \
       to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')";

pub(crate) const SELECT_CHECKPOINT: &str = "SELECT offset_reached, returns, members, register, \
       to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') \
     FROM census_ingest_checkpoints WHERE input_id = $1";

#[derive(sqlx::FromRow)]
pub(crate) struct CheckpointRow(i64, i64, i64, i64, String);

impl CheckpointRow {
    pub(crate) fn into_checkpoint(self, input: &str) -> Checkpoint {
        let n = |v: i64| u64::try_from(v).unwrap_or(0);
        Checkpoint {
            input: input.to_string(),
            offset: n(self.0),
            returns: n(self.1),
            members: n(self.2),
            register: n(self.3),
            updated_at: self.4,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line<R: CopyRow>(row: &R) -> Result<String, CensusDbError> {
        let mut buf = Vec::new();
        Line::new(&mut buf).row(row)?;
        Ok(String::from_utf8(buf).unwrap())
    }

    fn member(id_number: Option<&str>) -> MemberRow {
        MemberRow {
            return_id: "530128-0000001".into(),
            household_id: "h\t1\\N".into(),
            county_code: "530128".into(),
            village_code: "530128100001".into(),
            member_id: "m\r\n1".into(),
            id_number: id_number.map(String::from),
            age: None,
            sex: Some("female"),
        }
    }

    /// Each special byte of the text format is escaped, NULL is `\N`, and the fields are as
    /// many as the columns.
    #[test]
    fn text_format_escapes_and_nulls() {
        let text = line(&member(None)).unwrap();
        assert_eq!(
            text,
            "53\t530128-0000001\th\\t1\\\\N\t530128\t530128100001\tm\\r\\n1\t\\N\t\\N\tfemale\n"
        );
        assert_eq!(text.trim_end().split('\t').count(), schema::MEMBERS.len());
    }

    #[test]
    fn a_nul_character_is_refused_with_its_column() {
        let e = line(&member(Some("53\u{0}1"))).unwrap_err();
        assert!(
            matches!(
                e,
                CensusDbError::Nul {
                    column: "id_number",
                    ..
                }
            ),
            "{e}"
        );
    }

    #[test]
    fn floats_are_written_exactly() {
        let mut buf = Vec::new();
        let mut l = Line::new(&mut buf);
        for v in [0.1, 1e-7, 1e300, -0.0, f64::INFINITY, f64::NAN] {
            l.opt_f64(Some(v));
        }
        assert_eq!(
            String::from_utf8(buf)
                .unwrap()
                .split('\t')
                .collect::<Vec<_>>(),
            [
                "0.1",
                "0.0000001",
                &format!("1{}", "0".repeat(300)),
                "-0",
                "Infinity",
                "NaN"
            ]
        );
    }
}
