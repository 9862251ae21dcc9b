//! Accounts, their API tokens (as SHA-256 hashes only) and the assignments their scopes come
//! from: counties to teams, sampled villages to interviewers (tables `accounts`, `api_tokens`,
//! `team_counties`, `interviewer_villages`). Nothing is deleted but an assignment: an account
//! and its tokens are revoked by time. What an account may do is decided by `assess-access`;
//! this module only keeps the facts.

use crate::{now_rfc3339, Retryable, Store, StoreError};
use assess_access::{Account, Grants, Role};
use sqlx::any::AnyRow;
use sqlx::Row;
use std::collections::{BTreeMap, BTreeSet};

/// Why an account operation was refused.
#[derive(Debug, thiserror::Error)]
pub enum AccountsError {
    /// The database refused or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// An account of that name exists (perhaps revoked: names are never reused).
    #[error(
        "an account named {0:?} already exists{1}; names are never reused, so that every \
         upload stays tied to one person: choose another name"
    )]
    NameTaken(String, &'static str),
    /// No account of that name.
    #[error("no account is named {0:?}")]
    Unknown(String),
    /// The account is revoked.
    #[error("account {0:?} is revoked; make a new account instead")]
    Revoked(String),
    /// A stored account whose role this version does not know.
    #[error("account {name:?} has role {role:?} in the database, which is not a role")]
    BadRole {
        /// The account.
        name: String,
        /// The stored text.
        role: String,
    },
}

impl Retryable for AccountsError {
    fn is_conflict(&self) -> bool {
        matches!(self, AccountsError::Store(e) if e.is_conflict())
    }
}

/// An account as listed: the account, when it was made and revoked, its active tokens.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AccountRow {
    /// The account.
    #[serde(flatten)]
    pub account: Account,
    /// When it was made (RFC 3339 UTC).
    pub created_at: String,
    /// When it was revoked, if it was.
    pub revoked_at: Option<String>,
    /// Tokens that still open it.
    pub active_tokens: i64,
}

/// What a revocation did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Revocation {
    /// The account was already revoked (nothing changed).
    pub already: bool,
    /// Tokens revoked now.
    pub tokens: u64,
}

/// A county assigned to a team.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct TeamCounty {
    /// The team.
    pub team: String,
    /// The county's six-digit code.
    pub county_code: String,
}

/// A sampled village assigned to an interviewer.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct InterviewerVillage {
    /// The interviewer's account.
    pub account: String,
    /// The draw.
    pub draw_id: String,
    /// The village's code.
    pub village_code: String,
}

/// A county's assignment as listed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CountyAssigned {
    /// The team.
    pub team: String,
    /// The county's six-digit code.
    pub county_code: String,
    /// When (RFC 3339 UTC).
    pub assigned_at: String,
}

/// A village's assignment as listed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct VillageAssigned {
    /// The interviewer's account.
    pub account: String,
    /// The draw.
    pub draw_id: String,
    /// The village's county.
    pub county_code: String,
    /// The village's code.
    pub village_code: String,
    /// When (RFC 3339 UTC).
    pub assigned_at: String,
}

/// Every assignment, as listed.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Assignments {
    /// Counties to teams, by team then county.
    pub counties: Vec<CountyAssigned>,
    /// Villages to interviewers, by account, draw, village.
    pub villages: Vec<VillageAssigned>,
}

/// What an assignment load added (what was already assigned is left as it was).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Assigned {
    /// Counties newly assigned to a team.
    pub counties: u64,
    /// Villages newly assigned to an interviewer.
    pub villages: u64,
}

fn account_of(r: &AnyRow) -> Result<Result<Account, AccountsError>, sqlx::Error> {
    let name: String = r.try_get(0)?;
    let role: String = r.try_get(1)?;
    Ok(match role.parse::<Role>() {
        Ok(role) => Ok(Account {
            name,
            role,
            team: r.try_get(2)?,
            province: r.try_get(3)?,
        }),
        Err(_) => Err(AccountsError::BadRole { name, role }),
    })
}

impl Store {
    /// Adds an account with its first token's SHA-256 (hex). A name already used, even by a
    /// revoked account, is refused.
    pub async fn add_account(
        &self,
        account: &Account,
        token_sha256: &str,
    ) -> Result<(), AccountsError> {
        self.retrying(|| async {
            let db = |e| AccountsError::Store(self.db_error(e));
            let mut tx = self.begin_write().await.map_err(db)?;
            let existing = sqlx::query("SELECT revoked_at FROM accounts WHERE name = $1")
                .bind(&account.name)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db)?;
            if let Some(r) = existing {
                let revoked: Option<String> = r.try_get(0).map_err(db)?;
                let note = if revoked.is_some() { " (revoked)" } else { "" };
                return Err(AccountsError::NameTaken(account.name.clone(), note));
            }
            let now = now_rfc3339();
            sqlx::query(
                "INSERT INTO accounts (name, role, team, province, created_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&account.name)
            .bind(account.role.as_str())
            .bind(account.team.as_deref())
            .bind(account.province.as_deref())
            .bind(&now)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
            insert_token(&mut tx, &account.name, token_sha256, &now)
                .await
                .map_err(db)?;
            let entries = vec![
                entry(
                    "account.add",
                    "account",
                    &account.name,
                    &[
                        account.role.as_str(),
                        account.team.as_deref().unwrap_or(""),
                        account.province.as_deref().unwrap_or(""),
                        &now,
                    ],
                ),
                entry("token.add", "token", &account.name, &[token_sha256, &now]),
            ];
            crate::audit::append(&mut tx, self.actor(), entries)
                .await
                .map_err(db)?;
            tx.commit().await.map_err(db)?;
            tracing::info!(account = %account.name, role = %account.role, "account added");
            Ok(())
        })
        .await
    }

    /// Adds another token (its SHA-256, hex) to an active account.
    pub async fn add_token(&self, name: &str, token_sha256: &str) -> Result<(), AccountsError> {
        self.retrying(|| async {
            let db = |e| AccountsError::Store(self.db_error(e));
            let mut tx = self.begin_write().await.map_err(db)?;
            active(self, &mut tx, name).await?;
            let now = now_rfc3339();
            insert_token(&mut tx, name, token_sha256, &now)
                .await
                .map_err(db)?;
            let logged = vec![entry("token.add", "token", name, &[token_sha256, &now])];
            crate::audit::append(&mut tx, self.actor(), logged)
                .await
                .map_err(db)?;
            tx.commit().await.map_err(db)?;
            tracing::info!(account = %name, "token added");
            Ok(())
        })
        .await
    }

    /// Revokes an account and every token of it.
    pub async fn revoke_account(&self, name: &str) -> Result<Revocation, AccountsError> {
        self.retrying(|| async {
            let db = |e| AccountsError::Store(self.db_error(e));
            let mut tx = self.begin_write().await.map_err(db)?;
            match active(self, &mut tx, name).await {
                Err(AccountsError::Revoked(_)) => {
                    return Ok(Revocation {
                        already: true,
                        tokens: 0,
                    })
                }
                other => other?,
            }
            let now = now_rfc3339();
            sqlx::query("UPDATE accounts SET revoked_at = $1 WHERE name = $2")
                .bind(&now)
                .bind(name)
                .execute(&mut *tx)
                .await
                .map_err(db)?;
            let tokens = sqlx::query(
                "UPDATE api_tokens SET revoked_at = $1 WHERE account = $2 AND revoked_at IS NULL",
            )
            .bind(&now)
            .bind(name)
            .execute(&mut *tx)
            .await
            .map_err(db)?
            .rows_affected();
            let logged = vec![entry("account.revoke", "account", name, &[&now])];
            crate::audit::append(&mut tx, self.actor(), logged)
                .await
                .map_err(db)?;
            tx.commit().await.map_err(db)?;
            tracing::info!(account = %name, tokens, "account revoked");
            Ok(Revocation {
                already: false,
                tokens,
            })
        })
        .await
    }

    /// Every account, revoked ones included, by name.
    pub async fn accounts(&self) -> Result<Vec<AccountRow>, AccountsError> {
        let db = |e| AccountsError::Store(self.db_error(e));
        let rows = sqlx::query(
            "SELECT a.name, a.role, a.team, a.province, a.created_at, a.revoked_at, \
               (SELECT COUNT(*) FROM api_tokens t WHERE t.account = a.name AND t.revoked_at IS NULL) \
             FROM accounts a ORDER BY a.name",
        )
        .fetch_all(self.pool())
        .await
        .map_err(db)?;
        rows.iter()
            .map(|r| {
                Ok(AccountRow {
                    account: account_of(r).map_err(db)??,
                    created_at: r.try_get(4).map_err(db)?,
                    revoked_at: r.try_get(5).map_err(db)?,
                    active_tokens: r.try_get(6).map_err(db)?,
                })
            })
            .collect()
    }

    /// The active account a token opens, by the token's SHA-256 (hex); `None` for an unknown
    /// token, a revoked token, or a token of a revoked account.
    pub async fn account_by_token_hash(
        &self,
        token_sha256: &str,
    ) -> Result<Option<Account>, AccountsError> {
        let db = |e| AccountsError::Store(self.db_error(e));
        let row = sqlx::query(
            "SELECT a.name, a.role, a.team, a.province FROM api_tokens t \
             JOIN accounts a ON a.name = t.account \
             WHERE t.token_sha256 = $1 AND t.revoked_at IS NULL AND a.revoked_at IS NULL",
        )
        .bind(token_sha256)
        .fetch_optional(self.pool())
        .await
        .map_err(db)?;
        row.map(|r| account_of(&r).map_err(db)?).transpose()
    }

    /// What is assigned to an account: its team's counties and its own villages.
    pub async fn grants(&self, account: &Account) -> Result<Grants, AccountsError> {
        let db = |e| AccountsError::Store(self.db_error(e));
        let mut grants = Grants::default();
        if let Some(team) = &account.team {
            grants.counties = self.team_counties(team).await?;
        }
        let rows = sqlx::query(
            "SELECT draw_id, village_code FROM interviewer_villages WHERE account = $1",
        )
        .bind(&account.name)
        .fetch_all(self.pool())
        .await
        .map_err(db)?;
        for r in rows {
            grants
                .villages
                .insert((r.try_get(0).map_err(db)?, r.try_get(1).map_err(db)?));
        }
        Ok(grants)
    }

    /// The counties assigned to a team.
    pub async fn team_counties(&self, team: &str) -> Result<BTreeSet<String>, AccountsError> {
        let db = |e| AccountsError::Store(self.db_error(e));
        let rows = sqlx::query("SELECT county_code FROM team_counties WHERE team = $1")
            .bind(team)
            .fetch_all(self.pool())
            .await
            .map_err(db)?;
        rows.iter().map(|r| r.try_get(0).map_err(db)).collect()
    }

    /// The sampled villages of a draw with their counties (empty: no such draw).
    pub async fn sampled_villages(
        &self,
        draw_id: &str,
    ) -> Result<BTreeMap<String, String>, StoreError> {
        let db = |e| self.db_error(e);
        let rows =
            sqlx::query("SELECT village_code, county_code FROM sample_villages WHERE draw_id = $1")
                .bind(draw_id)
                .fetch_all(self.pool())
                .await
                .map_err(db)?;
        rows.iter()
            .map(|r| Ok((r.try_get(0).map_err(db)?, r.try_get(1).map_err(db)?)))
            .collect()
    }

    /// Assigns counties to teams and villages to interviewers, in one transaction; what is
    /// already assigned stays as it was. The caller has checked every assignment
    /// (`assess_access::may_assign`, `may_assign_village`) and that each village is sampled.
    pub async fn assign(
        &self,
        counties: &[TeamCounty],
        villages: &[InterviewerVillage],
    ) -> Result<Assigned, StoreError> {
        self.retrying(|| async {
            let db = |e| self.db_error(e);
            let mut tx = self.begin_write().await.map_err(db)?;
            let now = now_rfc3339();
            let mut done = Assigned::default();
            let mut logged = Vec::new();
            for c in counties {
                let added = sqlx::query(
                    "INSERT INTO team_counties (team, county_code, assigned_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (team, county_code) DO NOTHING",
                )
                .bind(&c.team)
                .bind(&c.county_code)
                .bind(&now)
                .execute(&mut *tx)
                .await
                .map_err(db)?
                .rows_affected();
                if added > 0 {
                    let key = format!("{}/{}", c.team, c.county_code);
                    logged.push(entry("assignment.county", "assignment", &key, &[&now]));
                }
                done.counties += added;
            }
            for v in villages {
                let added = sqlx::query(
                    "INSERT INTO interviewer_villages (account, draw_id, village_code, assigned_at) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT (account, draw_id, village_code) DO NOTHING",
                )
                .bind(&v.account)
                .bind(&v.draw_id)
                .bind(&v.village_code)
                .bind(&now)
                .execute(&mut *tx)
                .await
                .map_err(db)?
                .rows_affected();
                if added > 0 {
                    let key = format!("{}/{}/{}", v.account, v.draw_id, v.village_code);
                    logged.push(entry("assignment.village", "assignment", &key, &[&now]));
                }
                done.villages += added;
            }
            crate::audit::append(&mut tx, self.actor(), logged)
                .await
                .map_err(db)?;
            tx.commit().await.map_err(db)?;
            tracing::info!(counties = done.counties, villages = done.villages, "assigned");
            Ok(done)
        })
        .await
    }

    /// Takes a county from a team; whether it was assigned.
    pub async fn unassign_county(&self, c: &TeamCounty) -> Result<bool, StoreError> {
        let key = format!("{}/{}", c.team, c.county_code);
        self.unassign(
            sqlx::query("DELETE FROM team_counties WHERE team = $1 AND county_code = $2")
                .bind(c.team.clone())
                .bind(c.county_code.clone()),
            "assignment.county_remove",
            key,
        )
        .await
    }

    /// Runs one DELETE of an assignment with its audit entry, in one transaction.
    async fn unassign(
        &self,
        delete: sqlx::query::Query<'static, sqlx::Any, sqlx::any::AnyArguments>,
        action: &str,
        key: String,
    ) -> Result<bool, StoreError> {
        let db = |e| self.db_error(e);
        let mut tx = self.begin_write().await.map_err(db)?;
        let n = delete.execute(&mut *tx).await.map_err(db)?.rows_affected();
        if n > 0 {
            let logged = vec![entry(action, "assignment", &key, &[&now_rfc3339()])];
            crate::audit::append(&mut tx, self.actor(), logged)
                .await
                .map_err(db)?;
        }
        tx.commit().await.map_err(db)?;
        Ok(n > 0)
    }

    /// Takes a village from an interviewer; whether it was assigned.
    pub async fn unassign_village(&self, v: &InterviewerVillage) -> Result<bool, StoreError> {
        let key = format!("{}/{}/{}", v.account, v.draw_id, v.village_code);
        self.unassign(
            sqlx::query(
                "DELETE FROM interviewer_villages WHERE account = $1 AND draw_id = $2 AND village_code = $3",
            )
            .bind(v.account.clone())
            .bind(v.draw_id.clone())
            .bind(v.village_code.clone()),
            "assignment.village_remove",
            key,
        )
        .await
    }

    /// Every assignment.
    pub async fn assignments(&self) -> Result<Assignments, StoreError> {
        let db = |e| self.db_error(e);
        let counties = sqlx::query(
            "SELECT team, county_code, assigned_at FROM team_counties ORDER BY team, county_code",
        )
        .fetch_all(self.pool())
        .await
        .map_err(db)?;
        let villages = sqlx::query(
            "SELECT i.account, i.draw_id, i.village_code, v.county_code, i.assigned_at \
             FROM interviewer_villages i JOIN sample_villages v \
               ON v.draw_id = i.draw_id AND v.village_code = i.village_code \
             ORDER BY i.account, i.draw_id, i.village_code",
        )
        .fetch_all(self.pool())
        .await
        .map_err(db)?;
        let mut out = Assignments::default();
        for r in counties {
            out.counties.push(CountyAssigned {
                team: r.try_get(0).map_err(db)?,
                county_code: r.try_get(1).map_err(db)?,
                assigned_at: r.try_get(2).map_err(db)?,
            });
        }
        for r in villages {
            out.villages.push(VillageAssigned {
                account: r.try_get(0).map_err(db)?,
                draw_id: r.try_get(1).map_err(db)?,
                village_code: r.try_get(2).map_err(db)?,
                county_code: r.try_get(3).map_err(db)?,
                assigned_at: r.try_get(4).map_err(db)?,
            });
        }
        Ok(out)
    }
}

type Tx<'a> = sqlx::Transaction<'a, sqlx::Any>;

/// Refuses an unknown or revoked account.
async fn active(store: &Store, tx: &mut Tx<'_>, name: &str) -> Result<(), AccountsError> {
    let db = |e| AccountsError::Store(store.db_error(e));
    let row = sqlx::query("SELECT revoked_at FROM accounts WHERE name = $1")
        .bind(name)
        .fetch_optional(&mut **tx)
        .await
        .map_err(db)?;
    let Some(row) = row else {
        return Err(AccountsError::Unknown(name.to_string()));
    };
    match row.try_get::<Option<String>, _>(0).map_err(db)? {
        None => Ok(()),
        Some(_) => Err(AccountsError::Revoked(name.to_string())),
    }
}

async fn insert_token(
    tx: &mut Tx<'_>,
    account: &str,
    token_sha256: &str,
    now: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO api_tokens (token_sha256, account, created_at) VALUES ($1, $2, $3)")
        .bind(token_sha256)
        .bind(account)
        .bind(now)
        .execute(&mut **tx)
        .await
        .map(|_| ())
}

/// An audit entry for an account, token or assignment write: in the chain (who, when, what,
/// with a hash of the values written), though `audit verify` does not check these tables
/// against it (docs/audit.md).
fn entry(action: &str, kind: &str, key: &str, values: &[&str]) -> assess_audit::NewEntry {
    use sha2::Digest;
    let mut hasher = sha2::Sha256::new();
    for v in values {
        // Length-prefixed, so that two value lists never hash alike.
        hasher.update((v.len() as u64).to_be_bytes());
        hasher.update(v.as_bytes());
    }
    assess_audit::NewEntry::new(
        action,
        &assess_audit::ObjectRef {
            kind: assess_audit::ObjectKind::Other(kind.into()),
            key: key.to_string(),
        },
        hex::encode(hasher.finalize()),
    )
}
