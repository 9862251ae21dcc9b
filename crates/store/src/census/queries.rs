//! Coverage and attainment counts in SQL, and the rows read back. Every query filters or
//! groups by `county_code` (the Citus distribution column: such a query runs on each
//! county's shard and only the per-county results meet on the coordinator), and a query of
//! one province or county also filters by `province_code`, so PostgreSQL reads only that
//! province's partitions.

use super::schema::{self, Column};
use super::{CensusDb, CensusDbError, MemberRow, RegisterRow, ReturnRow};
use assess_household::Status;
use sqlx::postgres::PgRow;
use sqlx::Row;

/// Which rows a query counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Every province.
    All,
    /// One province (two digits).
    Province(String),
    /// One county (six digits).
    County(String),
}

impl Scope {
    /// The `WHERE` clause on a table aliased `t` (bound as `$1`).
    fn clause(&self) -> &'static str {
        match self {
            Scope::All => "",
            Scope::Province(_) => " WHERE t.province_code = $1",
            Scope::County(_) => " WHERE t.county_code = $1 AND t.province_code = left($1, 2)",
        }
    }

    fn bind(&self) -> Option<&str> {
        match self {
            Scope::All => None,
            Scope::Province(p) => Some(p),
            Scope::County(c) => Some(c),
        }
    }
}

/// The level coverage is counted at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Per province (the sum of its counties).
    Province,
    /// Per county.
    County,
    /// Per township (the village code's first nine digits).
    Township,
    /// Per village.
    Village,
}

/// Coverage of one area: households, each counted once (docs/census.md, "PostgreSQL").
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Coverage {
    /// The province.
    pub province_code: String,
    /// The county (`None` at province level).
    pub county_code: Option<String>,
    /// The township (township and village levels).
    pub township_code: Option<String>,
    /// The village (village level).
    pub village_code: Option<String>,
    /// Households in the register.
    pub registered: u64,
    /// Registered households with a return whose outcome is `enumerated`.
    pub enumerated: u64,
    /// Registered households with no return at all.
    pub missing: u64,
    /// Households (registered or not) with more than one return.
    pub duplicated: u64,
    /// Households with a return but not in the register (of the return's county).
    pub not_registered: u64,
    /// Registered households with a return saying `dissolved` or `moved_out`.
    pub dissolved_or_moved: u64,
}

/// Met, unmet and unknown counts of one finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct Tally {
    /// True.
    pub met: u64,
    /// False.
    pub unmet: u64,
    /// Not known (NULL).
    pub unknown: u64,
}

/// Guarantee attainment of one county's enumerated households (each household once: its
/// first enumerated return by start time, then return id).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Attainment {
    /// The province.
    pub province_code: String,
    /// The county.
    pub county_code: String,
    /// Enumerated households.
    pub households: u64,
    /// Income at or above the line.
    pub income: Tally,
    /// Food and clothing.
    pub food_clothing: Tally,
    /// Compulsory education.
    pub education: Tally,
    /// Basic medical cover.
    pub medical: Tally,
    /// Housing safety.
    pub housing: Tally,
    /// Drinking-water safety.
    pub water: Tally,
    /// All five guarantees.
    pub guarantees: Tally,
    /// Poor: below the line or a guarantee unmet (met = poor).
    pub poor: Tally,
}

/// The findings of [`Attainment`], in its order: the column of `census_returns` each counts.
const FINDINGS: [&str; 8] = [
    "income_ok",
    "food_clothing",
    "education",
    "medical",
    "housing",
    "water",
    "guarantees",
    "poor",
];

/// The coverage query of a level and scope (bound as `$1` unless [`Scope::All`]). Public so
/// that its plan can be examined (`EXPLAIN`).
pub fn coverage_sql(level: Level, scope: &Scope) -> String {
    let w = scope.clause();
    // One row per household (county, household id) seen in the register or the returns; the
    // register's village for a registered household, the return's for another.
    let households = format!(
        "WITH r AS (\
           SELECT t.province_code, t.county_code, t.household_id, count(*) AS n, \
             bool_or(t.outcome = 'enumerated') AS enumerated, \
             bool_or(t.outcome IN ('dissolved', 'moved_out')) AS gone, \
             min(t.village_code) AS village_code \
           FROM census_returns t{w} \
           GROUP BY t.county_code, t.province_code, t.household_id), \
         g AS (SELECT t.province_code, t.county_code, t.household_id, t.village_code \
           FROM census_register t{w}), \
         h AS (\
           SELECT coalesce(g.province_code, r.province_code) AS province_code, \
             coalesce(g.county_code, r.county_code) AS county_code, \
             coalesce(g.village_code, r.village_code) AS village_code, \
             g.household_id IS NOT NULL AS registered, coalesce(r.n, 0) AS n, \
             coalesce(r.enumerated, false) AS enumerated, coalesce(r.gone, false) AS gone \
           FROM g FULL JOIN r ON r.county_code = g.county_code \
             AND r.province_code = g.province_code AND r.household_id = g.household_id)"
    );
    let counts = "count(*) FILTER (WHERE registered) AS registered, \
         count(*) FILTER (WHERE registered AND enumerated) AS enumerated, \
         count(*) FILTER (WHERE registered AND n = 0) AS missing, \
         count(*) FILTER (WHERE n > 1) AS duplicated, \
         count(*) FILTER (WHERE NOT registered) AS not_registered, \
         count(*) FILTER (WHERE registered AND gone) AS dissolved_or_moved";
    match level {
        Level::Village => format!(
            "{households} SELECT province_code, county_code, left(village_code, 9), \
             village_code, {counts} FROM h \
             GROUP BY county_code, province_code, village_code \
             ORDER BY county_code, village_code"
        ),
        Level::Township => format!(
            "{households} SELECT province_code, county_code, left(village_code, 9), \
             NULL::text, {counts} FROM h \
             GROUP BY county_code, province_code, left(village_code, 9) \
             ORDER BY county_code, 3"
        ),
        Level::County => format!(
            "{households} SELECT province_code, county_code, NULL::text, NULL::text, {counts} \
             FROM h GROUP BY county_code, province_code ORDER BY county_code"
        ),
        Level::Province => format!(
            "{households}, c AS (SELECT province_code, county_code, {counts} FROM h \
               GROUP BY county_code, province_code) \
             SELECT province_code, NULL::text, NULL::text, NULL::text, \
               sum(registered)::bigint, sum(enumerated)::bigint, sum(missing)::bigint, \
               sum(duplicated)::bigint, sum(not_registered)::bigint, \
               sum(dissolved_or_moved)::bigint \
             FROM c GROUP BY province_code ORDER BY province_code"
        ),
    }
}

/// The attainment query of a scope (bound as `$1` unless [`Scope::All`]).
pub fn attainment_sql(scope: &Scope) -> String {
    let w = match scope.clause() {
        "" => " WHERE t.outcome = 'enumerated'".to_string(),
        clause => format!("{clause} AND t.outcome = 'enumerated'"),
    };
    let tallies = FINDINGS
        .iter()
        .map(|f| {
            format!(
                "count(*) FILTER (WHERE {f}), count(*) FILTER (WHERE NOT {f}), \
                 count(*) FILTER (WHERE {f} IS NULL)"
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "WITH e AS (SELECT DISTINCT ON (t.county_code, t.household_id) t.province_code, \
           t.county_code, {findings} \
           FROM census_returns t{w} \
           ORDER BY t.county_code, t.household_id, t.start_unix, t.return_id) \
         SELECT province_code, county_code, count(*), {tallies} FROM e \
         GROUP BY county_code, province_code ORDER BY county_code",
        findings = FINDINGS.join(", ")
    )
}

fn count(row: &PgRow, i: usize) -> Result<u64, sqlx::Error> {
    let v: i64 = row.try_get(i)?;
    Ok(u64::try_from(v).unwrap_or(0))
}

impl CensusDb {
    async fn fetch(&self, sql: String, bind: Option<&str>) -> Result<Vec<PgRow>, CensusDbError> {
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        if let Some(b) = bind {
            query = query.bind(b.to_string());
        }
        query
            .fetch_all(&self.pool)
            .await
            .map_err(|e| self.db_error(e))
    }

    /// Coverage per area of `level` within `scope`, in code order.
    pub async fn coverage(
        &self,
        level: Level,
        scope: &Scope,
    ) -> Result<Vec<Coverage>, CensusDbError> {
        let rows = self.fetch(coverage_sql(level, scope), scope.bind()).await?;
        rows.iter()
            .map(|r| {
                Ok(Coverage {
                    province_code: r.try_get(0)?,
                    county_code: r.try_get(1)?,
                    township_code: r.try_get(2)?,
                    village_code: r.try_get(3)?,
                    registered: count(r, 4)?,
                    enumerated: count(r, 5)?,
                    missing: count(r, 6)?,
                    duplicated: count(r, 7)?,
                    not_registered: count(r, 8)?,
                    dissolved_or_moved: count(r, 9)?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(|e| self.db_error(e))
    }

    /// Guarantee attainment per county within `scope`, in county order.
    pub async fn attainment(&self, scope: &Scope) -> Result<Vec<Attainment>, CensusDbError> {
        let rows = self.fetch(attainment_sql(scope), scope.bind()).await?;
        rows.iter()
            .map(|r| {
                let tally = |k: usize| -> Result<Tally, sqlx::Error> {
                    Ok(Tally {
                        met: count(r, 3 + 3 * k)?,
                        unmet: count(r, 4 + 3 * k)?,
                        unknown: count(r, 5 + 3 * k)?,
                    })
                };
                Ok(Attainment {
                    province_code: r.try_get(0)?,
                    county_code: r.try_get(1)?,
                    households: count(r, 2)?,
                    income: tally(0)?,
                    food_clothing: tally(1)?,
                    education: tally(2)?,
                    medical: tally(3)?,
                    housing: tally(4)?,
                    water: tally(5)?,
                    guarantees: tally(6)?,
                    poor: tally(7)?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(|e| self.db_error(e))
    }

    async fn rows_of(
        &self,
        table: &str,
        columns: &[Column],
        order: &str,
        county: &str,
    ) -> Result<Vec<PgRow>, CensusDbError> {
        let sql = format!(
            "SELECT {} FROM {table} t WHERE t.county_code = $1 AND t.province_code = left($1, 2) \
             ORDER BY {order}",
            schema::names(columns)
        );
        self.fetch(sql, Some(county)).await
    }

    /// One county's returns, by return id.
    pub async fn returns(&self, county: &str) -> Result<Vec<ReturnRow>, CensusDbError> {
        let rows = self
            .rows_of("census_returns", schema::RETURNS, "return_id", county)
            .await?;
        rows.iter().map(|r| self.return_row(r)).collect()
    }

    /// One county's member rows, by return and member id.
    pub async fn members(&self, county: &str) -> Result<Vec<MemberRow>, CensusDbError> {
        let rows = self
            .rows_of(
                "census_members",
                schema::MEMBERS,
                "return_id, member_id",
                county,
            )
            .await?;
        rows.iter()
            .map(|r| {
                let return_id: String = r.try_get(1).map_err(|e| self.db_error(e))?;
                let sex: Option<String> = r.try_get(8).map_err(|e| self.db_error(e))?;
                let sex = match sex.as_deref() {
                    None => None,
                    Some("male") => Some("male"),
                    Some("female") => Some("female"),
                    Some(other) => return Err(bad("census_members", &return_id, "sex", other)),
                };
                let age: Option<i32> = r.try_get(7).map_err(|e| self.db_error(e))?;
                let get = |i| r.try_get::<String, _>(i).map_err(|e| self.db_error(e));
                Ok(MemberRow {
                    household_id: get(2)?.into(),
                    county_code: get(3)?.into(),
                    village_code: get(4)?.into(),
                    member_id: get(5)?,
                    id_number: r.try_get(6).map_err(|e| self.db_error(e))?,
                    age: age.map(|a| u32::try_from(a).unwrap_or(0)),
                    sex,
                    return_id: return_id.into(),
                })
            })
            .collect()
    }

    /// One county's registered households, by household id.
    pub async fn register(&self, county: &str) -> Result<Vec<RegisterRow>, CensusDbError> {
        let rows = self
            .rows_of("census_register", schema::REGISTER, "household_id", county)
            .await?;
        rows.iter()
            .map(|r| {
                let e = |e| self.db_error(e);
                let household_id: String = r.try_get(0).map_err(e)?;
                let status: String = r.try_get(5).map_err(e)?;
                let members: i32 = r.try_get(6).map_err(e)?;
                Ok(RegisterRow {
                    status: status_word(&status)
                        .ok_or_else(|| bad("census_register", &household_id, "status", &status))?,
                    province_code: r.try_get(1).map_err(e)?,
                    county_code: r.try_get(2).map_err(e)?,
                    township_code: r.try_get(3).map_err(e)?,
                    village_code: r.try_get(4).map_err(e)?,
                    members: u32::try_from(members).unwrap_or(0),
                    lat: r.try_get(7).map_err(e)?,
                    lon: r.try_get(8).map_err(e)?,
                    household_id,
                })
            })
            .collect()
    }

    fn return_row(&self, r: &PgRow) -> Result<ReturnRow, CensusDbError> {
        let e = |e| self.db_error(e);
        let text = |i| r.try_get::<String, _>(i).map_err(e);
        let return_id = text(0)?;
        let outcome = text(7)?;
        let outcome = match outcome.as_str() {
            "enumerated" => "enumerated",
            "dissolved" => "dissolved",
            "moved_out" => "moved_out",
            other => return Err(bad("census_returns", &return_id, "outcome", other)),
        };
        let status: Option<String> = r.try_get(14).map_err(e)?;
        let status = match status {
            None => None,
            Some(s) => Some(
                status_word(&s).ok_or_else(|| bad("census_returns", &return_id, "status", &s))?,
            ),
        };
        let members: i32 = r.try_get(15).map_err(e)?;
        let f = |i| r.try_get::<Option<f64>, _>(i).map_err(e);
        let b = |i| r.try_get::<Option<bool>, _>(i).map_err(e);
        Ok(ReturnRow {
            household_id: text(1)?,
            province_code: text(2)?,
            county_code: text(3)?,
            village_code: text(4)?,
            enumerator_id: text(5)?,
            enumerator_home_county: text(6)?,
            outcome,
            start_unix: r.try_get(8).map_err(e)?,
            end_unix: r.try_get(9).map_err(e)?,
            gps_lat: f(10)?,
            gps_lon: f(11)?,
            content_sha256: text(12)?,
            answers_sha256: r.try_get(13).map_err(e)?,
            status,
            members: u32::try_from(members).unwrap_or(0),
            poverty_line: f(16)?,
            income_per_person: f(17)?,
            income_ok: b(18)?,
            food_clothing: b(19)?,
            education: b(20)?,
            medical: b(21)?,
            housing: b(22)?,
            water: b(23)?,
            guarantees: b(24)?,
            poor: b(25)?,
            approval_exit: b(26)?,
            industrial_support_yuan: f(27)?,
            housing_renovation_yuan: f(28)?,
            education_aid_yuan: f(29)?,
            medical_aid_yuan: f(30)?,
            minimum_living_allowance_yuan: f(31)?,
            employment_support: b(32)?,
            public_welfare_post: b(33)?,
            relocated: b(34)?,
            extreme_poverty_support: b(35)?,
            microcredit: b(36)?,
            return_id,
        })
    }
}

fn status_word(s: &str) -> Option<&'static str> {
    Status::ALL.iter().map(|s| s.as_str()).find(|w| *w == s)
}

fn bad(table: &'static str, key: &str, column: &'static str, value: &str) -> CensusDbError {
    CensusDbError::BadValue {
        table,
        key: key.to_string(),
        column,
        value: value.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every query names county_code in its grouping or filter (the Citus distribution
    /// column), at every level and scope.
    #[test]
    fn every_query_groups_by_county() {
        let scopes = [
            Scope::All,
            Scope::Province("53".into()),
            Scope::County("530128".into()),
        ];
        for scope in &scopes {
            for level in [
                Level::Province,
                Level::County,
                Level::Township,
                Level::Village,
            ] {
                let sql = coverage_sql(level, scope);
                assert!(
                    sql.contains("GROUP BY t.county_code"),
                    "{level:?} {scope:?}"
                );
                assert!(sql.contains("GROUP BY county_code"), "{level:?} {scope:?}");
                assert_eq!(
                    sql.contains("t.province_code = "),
                    *scope != Scope::All,
                    "{level:?} {scope:?}"
                );
            }
            assert!(attainment_sql(scope).contains("GROUP BY county_code"));
        }
    }
}
