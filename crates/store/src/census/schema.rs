//! The census tables' layout: columns, keys, partitions (docs/census.md, "PostgreSQL").

use super::{CensusDb, CensusDbError};
use sqlx::PgConnection;

/// A column: name and PostgreSQL type (with `NOT NULL` when the row's field is not an
/// `Option`).
pub(crate) type Column = (&'static str, &'static str);

/// `census_returns`: the fields of `ReturnRow`, in its order.
pub(crate) const RETURNS: &[Column] = &[
    ("return_id", "text NOT NULL"),
    ("household_id", "text NOT NULL"),
    ("province_code", "text NOT NULL"),
    ("county_code", "text NOT NULL"),
    ("village_code", "text NOT NULL"),
    ("enumerator_id", "text NOT NULL"),
    ("enumerator_home_county", "text NOT NULL"),
    ("outcome", "text NOT NULL"),
    ("start_unix", "bigint NOT NULL"),
    ("end_unix", "bigint NOT NULL"),
    ("gps_lat", "double precision"),
    ("gps_lon", "double precision"),
    ("content_sha256", "text NOT NULL"),
    ("answers_sha256", "text"),
    ("status", "text"),
    ("members", "integer NOT NULL"),
    ("poverty_line", "double precision"),
    ("income_per_person", "double precision"),
    ("income_ok", "boolean"),
    ("food_clothing", "boolean"),
    ("education", "boolean"),
    ("medical", "boolean"),
    ("housing", "boolean"),
    ("water", "boolean"),
    ("guarantees", "boolean"),
    ("poor", "boolean"),
    ("approval_exit", "boolean"),
    ("industrial_support_yuan", "double precision"),
    ("housing_renovation_yuan", "double precision"),
    ("education_aid_yuan", "double precision"),
    ("medical_aid_yuan", "double precision"),
    ("minimum_living_allowance_yuan", "double precision"),
    ("employment_support", "boolean"),
    ("public_welfare_post", "boolean"),
    ("relocated", "boolean"),
    ("extreme_poverty_support", "boolean"),
    ("microcredit", "boolean"),
];

/// `census_members`: the fields of `MemberRow`, after the province (the partition key, the
/// county code's first two digits: `MemberRow` does not carry it).
pub(crate) const MEMBERS: &[Column] = &[
    ("province_code", "text NOT NULL"),
    ("return_id", "text NOT NULL"),
    ("household_id", "text NOT NULL"),
    ("county_code", "text NOT NULL"),
    ("village_code", "text NOT NULL"),
    ("member_id", "text NOT NULL"),
    ("id_number", "text"),
    ("age", "integer"),
    ("sex", "text"),
];

/// `census_register`: the fields of `RegisterRow`, in its order.
pub(crate) const REGISTER: &[Column] = &[
    ("household_id", "text NOT NULL"),
    ("province_code", "text NOT NULL"),
    ("county_code", "text NOT NULL"),
    ("township_code", "text NOT NULL"),
    ("village_code", "text NOT NULL"),
    ("status", "text NOT NULL"),
    ("members", "integer NOT NULL"),
    ("lat", "double precision"),
    ("lon", "double precision"),
];

/// The partitioned tables: name, columns, primary key. Every key starts with `county_code`
/// (Citus's distribution column must be in every unique key) and holds `province_code`
/// (PostgreSQL's partition key must be in every unique key of a partitioned table).
pub(crate) const TABLES: &[(&str, &[Column], &str)] = &[
    (
        "census_returns",
        RETURNS,
        "county_code, province_code, return_id",
    ),
    (
        "census_members",
        MEMBERS,
        "county_code, province_code, return_id, member_id",
    ),
    (
        "census_register",
        REGISTER,
        "county_code, province_code, household_id",
    ),
];

/// Every column name of a table, comma-separated.
pub(crate) fn names(columns: &[Column]) -> String {
    columns.iter().map(|c| c.0).collect::<Vec<_>>().join(", ")
}

/// The advisory lock that serialises schema and partition creation among loaders (a
/// `CREATE TABLE IF NOT EXISTS` racing another can fail on the catalog's unique index).
const DDL_LOCK: i64 = 0x6365_6e73_7573; // "census"

pub(crate) async fn lock_ddl(conn: &mut PgConnection) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(DDL_LOCK)
        .execute(conn)
        .await
        .map(|_| ())
}

/// Creates the partitions of one province (two digits, checked by the caller) in the
/// transaction of `conn`, if missing.
pub(crate) async fn create_partitions(
    conn: &mut PgConnection,
    province: &str,
) -> Result<(), sqlx::Error> {
    debug_assert!(is_province(province));
    lock_ddl(&mut *conn).await?;
    for (table, _, _) in TABLES {
        let sql = format!(
            "CREATE TABLE IF NOT EXISTS {table}_p{province} PARTITION OF {table} \
             FOR VALUES IN ('{province}')"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Two ASCII digits: a province code, safe in a table name.
pub(crate) fn is_province(code: &str) -> bool {
    code.len() == 2 && code.bytes().all(|b| b.is_ascii_digit())
}

impl CensusDb {
    /// Creates the census tables if missing (repeatable; concurrent callers wait for each
    /// other): the three partitioned tables (no partitions yet: a province's are made when its
    /// first rows are loaded, or by [`CensusDb::ensure_province`]), the checkpoints and the
    /// refused returns of ingests.
    /// PostgreSQL only; not part of the portable migrations.
    pub async fn ensure_census_schema(&self) -> Result<(), CensusDbError> {
        let mut tx = self.pool.begin().await.map_err(|e| self.db_error(e))?;
        lock_ddl(&mut tx).await.map_err(|e| self.db_error(e))?;
        let mut statements = Vec::new();
        for (table, columns, key) in TABLES {
            let columns = columns
                .iter()
                .map(|(name, ty)| format!("{name} {ty}"))
                .collect::<Vec<_>>()
                .join(", ");
            statements.push(format!(
                "CREATE TABLE IF NOT EXISTS {table} ({columns}, PRIMARY KEY ({key})) \
                 PARTITION BY LIST (province_code)"
            ));
        }
        statements.push(
            "CREATE TABLE IF NOT EXISTS census_ingest_checkpoints (\
               input_id text PRIMARY KEY, \
               offset_reached bigint NOT NULL, \
               returns bigint NOT NULL, \
               members bigint NOT NULL, \
               register bigint NOT NULL, \
               updated_at timestamptz NOT NULL, \
               state jsonb)"
                .to_string(),
        );
        // A database made before the column was added.
        statements.push(
            "ALTER TABLE census_ingest_checkpoints ADD COLUMN IF NOT EXISTS state jsonb"
                .to_string(),
        );
        // The returns an ingest refused, in order, per input (keyed by input: on Citus the
        // table is distributed by `input_id`, docs/census.md "PostgreSQL").
        statements.push(
            "CREATE TABLE IF NOT EXISTS census_ingest_rejects (\
               input_id text NOT NULL, \
               seq bigint NOT NULL, \
               file text NOT NULL, \
               line bigint NOT NULL, \
               return_id text, \
               field text NOT NULL, \
               reason text NOT NULL, \
               PRIMARY KEY (input_id, seq))"
                .to_string(),
        );
        for sql in statements {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(&mut *tx)
                .await
                .map_err(|e| self.db_error(e))?;
        }
        tx.commit().await.map_err(|e| self.db_error(e))
    }

    /// Creates a province's partitions of the three tables if missing, in a transaction of
    /// its own. A load makes them on demand; a loader that knows its provinces beforehand
    /// calls this first, so that no batch holds the tables' lock of a partition's creation.
    pub async fn ensure_province(&self, province: &str) -> Result<(), CensusDbError> {
        if !is_province(province) {
            return Err(CensusDbError::NotAProvince(province.to_string()));
        }
        let mut tx = self.pool.begin().await.map_err(|e| self.db_error(e))?;
        create_partitions(&mut tx, province)
            .await
            .map_err(|e| self.db_error(e))?;
        tx.commit().await.map_err(|e| self.db_error(e))?;
        self.partitions
            .lock()
            .expect("the partition set is never poisoned")
            .insert(province.to_string());
        Ok(())
    }

    /// The provinces that have partitions, sorted.
    pub async fn provinces(&self) -> Result<Vec<String>, CensusDbError> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT right(c.relname, 2) FROM pg_inherits i \
             JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent \
             WHERE p.relname = 'census_returns' AND c.relkind = 'r' ORDER BY 1",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.db_error(e))?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }
}
