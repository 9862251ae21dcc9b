//! Review and appeal steps, kept with who, when, why and the evidence; record versions written
//! by a step carry its stage (`review`, `appeal`), so verdicts can use the records as they
//! stood before the appeals or after them. Which step may follow which is
//! `assess_inspection::FindingState`; this module applies it inside one transaction per step,
//! with the evidence the step names (`evidence`).

use crate::evidence::{keep_evidence, link_evidence, EvidenceKept};
use crate::records::insert_visit;
use crate::{audit, Store, StoreError};
use assess_audit::{action, ObjectRef};
use assess_inspection::{
    state_of, Evidence, FindingState, Step, StepProblem, StepRequest, VisitRecord,
};
use sqlx::Row;
use std::collections::BTreeMap;

type Tx<'a> = sqlx::Transaction<'a, sqlx::Any>;

/// A recorded step.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StepRow {
    /// 1, 2, ... per household.
    pub seq: i64,
    /// The step's code.
    pub step: String,
    /// Who.
    pub actor: String,
    /// When, as given (with the offset it was given in).
    pub acted_at: String,
    /// Why.
    pub reason: String,
    /// Evidence references: "NAME sha256:HEX" for a file, "photo sha256:HEX" for a photo.
    pub evidence: Vec<String>,
    /// The record version current after the step.
    pub record_version: i64,
    /// When the store recorded it.
    pub recorded_at: String,
}

/// Where one household's finding stands, with its history.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FindingStatus {
    /// The household.
    pub household_id: String,
    /// Its state.
    pub state: FindingState,
    /// Its current record version.
    pub current_version: i64,
    /// Every step, in order.
    pub steps: Vec<StepRow>,
}

/// Which records a verdict uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Appeals {
    /// The latest field or review version of each household: the records as they stood when
    /// the county contested them.
    Before,
    /// The current version, including corrections from overturned appeals.
    After,
}

impl Appeals {
    /// `before` or `after`, as a verdict's provenance records it.
    pub fn as_str(self) -> &'static str {
        match self {
            Appeals::Before => "before",
            Appeals::After => "after",
        }
    }
}

/// Why a step was not recorded. In every case nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    /// The step's request is incomplete or its record invalid.
    #[error("household {household_id} of draw {draw_id}")]
    Invalid {
        /// The draw.
        draw_id: String,
        /// The household.
        household_id: String,
        /// What is wrong.
        #[source]
        problem: StepProblem,
    },
    /// The step is not allowed now; the message says what to do.
    #[error("household {household_id} of draw {draw_id}: {message}")]
    Refused {
        /// The draw.
        draw_id: String,
        /// The household.
        household_id: String,
        /// What is wrong and what to do.
        message: String,
    },
    /// A SHA-256 given as evidence names nothing stored.
    #[error(
        "household {household_id} of draw {draw_id}: evidence sha256:{sha256} is neither a \
         stored photo nor a stored evidence file; give the file itself, or add the photo first \
         (`assess photo add`)"
    )]
    EvidenceNotStored {
        /// The draw.
        draw_id: String,
        /// The household.
        household_id: String,
        /// The SHA-256 given.
        sha256: String,
    },
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What recording a step did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepRecorded {
    /// The finding's state after the step.
    pub state: FindingState,
    /// The evidence it names, in the order given.
    pub evidence: Vec<EvidenceKept>,
}

impl crate::Retryable for ReviewError {
    fn is_conflict(&self) -> bool {
        matches!(self, ReviewError::Store(e) if e.is_conflict())
    }
}

/// The stored history of one draw: household -> (steps, versions as (version, stage)).
pub(crate) type History = BTreeMap<String, (Vec<StepRow>, Vec<(i64, String)>)>;

impl Store {
    /// Records one review or appeal step, with its corrected record when it has one and the
    /// evidence it names (a file's bytes stored once by SHA-256), in one transaction: refused
    /// (nothing written) when the step may not follow the finding's state, when its time is
    /// before the visit it reviews or the step it follows, or when a SHA-256 it names is not
    /// stored.
    pub async fn record_step(&self, req: &StepRequest) -> Result<StepRecorded, ReviewError> {
        self.retrying(|| self.record_step_once(req)).await
    }

    async fn record_step_once(&self, req: &StepRequest) -> Result<StepRecorded, ReviewError> {
        let refuse = |message: String| ReviewError::Refused {
            draw_id: req.draw_id.clone(),
            household_id: req.household_id.clone(),
            message,
        };
        let invalid = |problem| ReviewError::Invalid {
            draw_id: req.draw_id.clone(),
            household_id: req.household_id.clone(),
            problem,
        };
        req.check().map_err(invalid)?;
        let db = |e| ReviewError::Store(self.db_error(e));
        let mut tx = self.begin_write().await.map_err(db)?;
        let history = load_history(&mut tx, &req.draw_id, Some(&req.household_id))
            .await
            .map_err(db)?;
        let Some((steps, versions)) = history.get(&req.household_id) else {
            return Err(refuse(
                "has no visit record to review; import the team's record first".to_string(),
            ));
        };
        let state = state_from(steps, versions).map_err(refuse)?;
        let new_state = state.after(req.step).map_err(refuse)?;
        let (current, current_hash) = current_record(&mut tx, req).await.map_err(db)?;
        let previous = steps
            .last()
            .and_then(|s| Some((Step::from_code(&s.step)?, s.acted_at.as_str())));
        req.check_times(&current, previous).map_err(invalid)?;
        let now = crate::now_rfc3339();
        let mut evidence = Vec::with_capacity(req.evidence.len());
        let mut logged = Vec::new();
        for e in &req.evidence {
            match keep_evidence(&mut tx, e, &now).await.map_err(db)? {
                Some(kept) => {
                    if let (true, Evidence::File { content, .. }) = (kept.newly_stored, e) {
                        logged.push(audit::bytes_entry(
                            action::EVIDENCE_STORE,
                            &ObjectRef::evidence(&kept.sha256),
                            content,
                        ));
                    }
                    evidence.push(kept)
                }
                None => {
                    return Err(ReviewError::EvidenceNotStored {
                        draw_id: req.draw_id.clone(),
                        household_id: req.household_id.clone(),
                        sha256: e.sha256(),
                    })
                }
            }
        }
        let mut version = versions.last().map_or(0, |v| v.0);
        if let (Some(record), Some(stage)) = (&req.record, req.step.record_stage()) {
            let (json, hash) = (record.canonical_json(), record.content_sha256());
            if current_hash == hash {
                return Err(refuse(format!(
                    "the corrected record is identical to the current version {version}; \
                     a {} step needs the record as corrected",
                    req.step.code()
                )));
            }
            sqlx::query(
                "UPDATE visits SET is_current = $1 WHERE draw_id = $2 AND household_id = $3 AND version = $4",
            )
            .bind(false)
            .bind(&req.draw_id)
            .bind(&req.household_id)
            .bind(version)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
            version += 1;
            insert_visit(
                &mut tx,
                record,
                version,
                &json,
                &hash,
                &now,
                &req.record_source,
                stage,
            )
            .await
            .map_err(db)?;
            logged.push(audit::record_entry(
                record,
                version,
                &json,
                &hash,
                &now,
                &req.record_source,
                stage,
            ));
        }
        let seq = steps.len() as i64 + 1;
        sqlx::query(
            "INSERT INTO finding_steps (draw_id, household_id, seq, step, actor, acted_at, reason, \
             evidence_json, record_version, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&req.draw_id)
        .bind(&req.household_id)
        .bind(seq)
        .bind(req.step.code())
        .bind(req.actor.trim())
        .bind(&req.acted_at)
        .bind(req.reason.trim())
        .bind(
            serde_json::to_string(&evidence.iter().map(EvidenceKept::reference).collect::<Vec<_>>())
                .expect("strings serialise"),
        )
        .bind(version)
        .bind(&now)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        for (position, kept) in evidence.iter().enumerate() {
            link_evidence(&mut tx, req, seq, position as i64 + 1, kept)
                .await
                .map_err(db)?;
        }
        logged.push(
            audit::step_entry(&mut tx, &req.draw_id, &req.household_id, seq)
                .await
                .map_err(db)?,
        );
        audit::append(&mut tx, self.actor(), logged)
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)?;
        tracing::info!(draw = %req.draw_id, household = %req.household_id, step = req.step.code(), "finding step recorded");
        Ok(StepRecorded {
            state: new_state,
            evidence,
        })
    }

    /// Every visited household of a draw with the state of its finding and its history.
    pub async fn findings(&self, draw_id: &str) -> Result<Vec<FindingStatus>, StoreError> {
        let mut tx = self.pool().begin().await.map_err(|e| self.db_error(e))?;
        let history = load_history(&mut tx, draw_id, None)
            .await
            .map_err(|e| self.db_error(e))?;
        tx.commit().await.map_err(|e| self.db_error(e))?;
        history
            .into_iter()
            .map(|(household_id, (steps, versions))| {
                let state = state_from(&steps, &versions).map_err(|e| {
                    self.db_error(sqlx::Error::Decode(
                        format!("household {household_id}: stored history is inconsistent: {e}")
                            .into(),
                    ))
                })?;
                Ok(FindingStatus {
                    household_id,
                    state,
                    current_version: versions.last().map_or(0, |v| v.0),
                    steps,
                })
            })
            .collect()
    }

    /// The visit record of each visited household of a draw, before or after the appeals;
    /// for an extended draw, of its whole lineage (the first phase's records are kept under
    /// the draw that first took the household, and no household is recorded under two).
    pub async fn visits_as_of(
        &self,
        draw_id: &str,
        appeals: Appeals,
    ) -> Result<Vec<VisitRecord>, StoreError> {
        let db = |e| self.db_error(e);
        let mut rows = Vec::new();
        for id in self.lineage(draw_id).await? {
            let of_draw = sqlx::query(
                "SELECT household_id, version, stage, record_json FROM visits WHERE draw_id = $1 \
                 ORDER BY household_id, version",
            )
            .bind(&id)
            .fetch_all(self.pool())
            .await
            .map_err(db)?;
            rows.extend(of_draw);
        }
        let mut chosen: BTreeMap<String, String> = BTreeMap::new();
        for r in &rows {
            let household: String = r.try_get(0).map_err(db)?;
            let stage: String = r.try_get(2).map_err(db)?;
            if appeals == Appeals::Before && stage == "appeal" {
                continue;
            }
            chosen.insert(household, r.try_get(3).map_err(db)?);
        }
        chosen
            .into_iter()
            .map(|(household, json)| {
                serde_json::from_str(&json).map_err(|e| {
                    db(sqlx::Error::Decode(
                        format!("the stored record of household {household} does not read as a visit record ({e})")
                            .into(),
                    ))
                })
            })
            .collect()
    }
}

/// The household's current record (the one a step reviews) and its content hash.
async fn current_record(
    tx: &mut Tx<'_>,
    req: &StepRequest,
) -> Result<(VisitRecord, String), sqlx::Error> {
    let row = sqlx::query(
        "SELECT record_json, content_sha256 FROM visits WHERE draw_id = $1 AND household_id = $2 AND is_current",
    )
    .bind(&req.draw_id)
    .bind(&req.household_id)
    .fetch_one(&mut **tx)
    .await?;
    let json: String = row.try_get(0)?;
    let record = serde_json::from_str(&json).map_err(|e| {
        sqlx::Error::Decode(
            format!(
                "the stored record of household {} does not read as a visit record ({e})",
                req.household_id
            )
            .into(),
        )
    })?;
    Ok((record, row.try_get(1)?))
}

/// A finding's state from its steps and its record versions (ascending).
pub(crate) fn state_from(
    steps: &[StepRow],
    versions: &[(i64, String)],
) -> Result<FindingState, String> {
    let parsed: Vec<Step> = steps
        .iter()
        .map(|s| Step::from_code(&s.step).ok_or_else(|| format!("unknown step {:?}", s.step)))
        .collect::<Result<_, _>>()?;
    let current = versions.last().map_or(0, |v| v.0);
    let changed_after_send_back = steps
        .iter()
        .rev()
        .find(|s| s.step == Step::SentBack.code())
        .is_some_and(|s| current > s.record_version);
    state_of(&parsed, changed_after_send_back)
}

/// Steps and versions of the visited households of a draw (or of one household).
pub(crate) async fn load_history(
    tx: &mut Tx<'_>,
    draw_id: &str,
    household_id: Option<&str>,
) -> Result<History, sqlx::Error> {
    let mut history = History::new();
    let versions = match household_id {
        Some(h) => sqlx::query(
            "SELECT household_id, version, stage FROM visits WHERE draw_id = $1 AND household_id = $2 ORDER BY household_id, version",
        )
        .bind(draw_id)
        .bind(h),
        None => sqlx::query(
            "SELECT household_id, version, stage FROM visits WHERE draw_id = $1 ORDER BY household_id, version",
        )
        .bind(draw_id),
    }
    .fetch_all(&mut **tx)
    .await?;
    for r in versions {
        history
            .entry(r.try_get(0)?)
            .or_default()
            .1
            .push((r.try_get(1)?, r.try_get(2)?));
    }
    let steps = match household_id {
        Some(h) => sqlx::query(
            "SELECT household_id, seq, step, actor, acted_at, reason, evidence_json, record_version, recorded_at \
             FROM finding_steps WHERE draw_id = $1 AND household_id = $2 ORDER BY household_id, seq",
        )
        .bind(draw_id)
        .bind(h),
        None => sqlx::query(
            "SELECT household_id, seq, step, actor, acted_at, reason, evidence_json, record_version, recorded_at \
             FROM finding_steps WHERE draw_id = $1 ORDER BY household_id, seq",
        )
        .bind(draw_id),
    }
    .fetch_all(&mut **tx)
    .await?;
    for r in steps {
        let evidence: String = r.try_get(6)?;
        history.entry(r.try_get(0)?).or_default().0.push(StepRow {
            seq: r.try_get(1)?,
            step: r.try_get(2)?,
            actor: r.try_get(3)?,
            acted_at: r.try_get(4)?,
            reason: r.try_get(5)?,
            evidence: serde_json::from_str(&evidence).unwrap_or_else(|_| vec![evidence.clone()]),
            record_version: r.try_get(7)?,
            recorded_at: r.try_get(8)?,
        });
    }
    Ok(history)
}
