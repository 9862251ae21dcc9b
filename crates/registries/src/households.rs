//! The households to check, with their members' identity numbers: the plain input the census
//! return and the register are both turned into, and its CSV form (one row per member,
//! streamed household by household).

use crate::error::{BadRows, CrosscheckError, RowError};
use crate::text::{Column, Rows};
use assess_household::{mask_identity_numbers, IdNumber, IdWritten};
use std::io::Read;

/// One member: identity number (normalised), name as given, and how the number was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    /// The identity number, 18-character form.
    pub id: IdNumber,
    /// The name as given (compared only as a second key).
    pub name: String,
    /// How the source wrote the number.
    pub written: IdWritten,
}

/// A household and its members, as the cross-checks take it.
#[derive(Debug, Clone, PartialEq)]
pub struct HouseholdMembers {
    /// The household's id in its source (register or census).
    pub household_id: String,
    /// Six-digit county code.
    pub county_code: String,
    /// Twelve-digit village code.
    pub village_code: String,
    /// Its members.
    pub members: Vec<Member>,
}

/// The columns of the households file.
pub const HOUSEHOLD_COLUMNS: &[Column] = &[
    Column {
        name: "household_id",
        aliases: &["户编号"],
        required: true,
    },
    Column {
        name: "county_code",
        aliases: &["县代码", "县级代码"],
        required: true,
    },
    Column {
        name: "village_code",
        aliases: &["村代码", "行政区划代码"],
        required: true,
    },
    Column {
        name: "member_id",
        aliases: &["身份证号", "身份证号码", "证件号码"],
        required: true,
    },
    Column {
        name: "member_name",
        aliases: &["姓名"],
        required: false,
    },
];

/// What the households file held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HouseholdsSummary {
    /// Households (runs of rows with the same household id).
    pub households: u64,
    /// Member rows.
    pub members: u64,
    /// Members whose identity number was not in the standard form.
    pub ids_normalised: u64,
}

/// The households of a CSV file, one at a time: consecutive rows with the same
/// `household_id` are one household. Bad rows are gathered (a household with one is not
/// handed out) and [`HouseholdsReader::finish`] refuses the file if there were any.
pub struct HouseholdsReader<R: Read> {
    file: String,
    rows: Rows<R>,
    current: Option<HouseholdMembers>,
    current_bad: bool,
    bad: BadRows,
    summary: HouseholdsSummary,
    done: bool,
}

impl<R: Read> HouseholdsReader<R> {
    /// Reads the header of `input`; `file` names it in messages.
    pub fn new(file: &str, input: R) -> Result<HouseholdsReader<R>, CrosscheckError> {
        Ok(HouseholdsReader {
            file: file.to_string(),
            rows: Rows::new(file, input, HOUSEHOLD_COLUMNS)?,
            current: None,
            current_bad: false,
            bad: BadRows::default(),
            summary: HouseholdsSummary::default(),
            done: false,
        })
    }

    /// The file's summary, or its refusal when any row was bad.
    pub fn finish(self) -> Result<HouseholdsSummary, CrosscheckError> {
        self.bad.into_result(&self.file)?;
        Ok(self.summary)
    }

    /// Takes the household being gathered, if it is whole and good.
    fn take(&mut self) -> Option<HouseholdMembers> {
        let h = self.current.take()?;
        let bad = std::mem::replace(&mut self.current_bad, false);
        (!bad).then_some(h)
    }

    /// Reads one row into the household being gathered; returns the previous household when
    /// this row starts another.
    fn step(&mut self) -> Result<Option<Option<HouseholdMembers>>, CrosscheckError> {
        let Some(row) = self.rows.next_row()? else {
            return Ok(None);
        };
        self.summary.members += 1;
        let row = match row {
            Ok(r) => r,
            Err(e) => {
                self.bad.push(e);
                self.current_bad = true;
                return Ok(Some(None));
            }
        };
        let line = row.line;
        let f = row.fields;
        let file = &self.file;
        let problem = |i: usize, problem: String| RowError {
            file: file.clone(),
            line,
            field: Some(HOUSEHOLD_COLUMNS[i].name),
            problem,
        };
        let household_id = f[0].trim();
        let mut errors = Vec::new();
        if household_id.is_empty() {
            errors.push(problem(0, "is empty".into()));
        }
        let (county, village) = (f[1].trim(), f[2].trim());
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(county, 6) {
            errors.push(problem(
                1,
                format!(
                    "{:?} is not a county code (six digits)",
                    mask_identity_numbers(county)
                ),
            ));
        }
        if !digits(village, 12) || !village.starts_with(county) {
            errors.push(problem(
                2,
                format!(
                    "{:?} is not a village code of county {county} (twelve digits starting \
                     with the county code)",
                    mask_identity_numbers(village)
                ),
            ));
        }
        let member = match IdNumber::normalise(&f[3]) {
            Ok((id, written)) => Some(Member {
                id,
                name: f[4].trim().to_string(),
                written,
            }),
            Err(e) => {
                errors.push(problem(3, e.to_string()));
                None
            }
        };
        let same = self
            .current
            .as_ref()
            .is_some_and(|h| h.household_id == household_id);
        let finished = if same {
            None
        } else {
            let previous = self.current.take();
            let previous_bad = std::mem::replace(&mut self.current_bad, false);
            let previous = previous.filter(|_| !previous_bad);
            self.summary.households += 1;
            self.current = Some(HouseholdMembers {
                household_id: household_id.to_string(),
                county_code: county.to_string(),
                village_code: village.to_string(),
                members: Vec::new(),
            });
            previous
        };
        let h = self
            .current
            .as_mut()
            .expect("a household is being gathered");
        if same && errors.is_empty() && (h.county_code != county || h.village_code != village) {
            errors.push(problem(
                2,
                format!(
                    "household {household_id} is in village {} on its first row and in {village} \
                     here: one household, one village",
                    h.village_code
                ),
            ));
        }
        if let Some(m) = member {
            if h.members.iter().any(|o| o.id == m.id) {
                errors.push(problem(
                    3,
                    format!(
                        "{} is given twice in household {household_id}",
                        m.id.masked()
                    ),
                ));
            } else if errors.is_empty() {
                if !m.written.is_standard() {
                    self.summary.ids_normalised += 1;
                }
                h.members.push(m);
            }
        }
        if !errors.is_empty() {
            self.current_bad = true;
            for e in errors {
                self.bad.push(e);
            }
        }
        Ok(Some(finished))
    }
}

impl<R: Read> Iterator for HouseholdsReader<R> {
    /// A household whose rows are all good; an error only when the file cannot be read on.
    type Item = Result<HouseholdMembers, CrosscheckError>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            match self.step() {
                Ok(Some(Some(h))) => return Some(Ok(h)),
                Ok(Some(None)) => {}
                Ok(None) => {
                    self.done = true;
                    return self.take().map(Ok);
                }
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "11010519491231002X";

    #[test]
    fn consecutive_rows_make_a_household() {
        let csv = format!(
            "household_id,county_code,village_code,member_id,member_name\n\
             h1,450124,450124100201,{A},张三\n\
             h1,450124,450124100201,110105194912310046,李四\n\
             h2,450124,450124100202,110105491231002, 王五 \n"
        );
        let mut r = HouseholdsReader::new("h.csv", csv.as_bytes()).unwrap();
        let all: Vec<_> = r.by_ref().map(Result::unwrap).collect();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].members.len(), 2);
        assert_eq!(all[1].members[0].id.reveal(), A);
        assert_eq!(all[1].members[0].name, "王五");
        assert!(all[1].members[0].written.old_15_digit);
        assert_eq!(
            r.finish().unwrap(),
            HouseholdsSummary {
                households: 2,
                members: 3,
                ids_normalised: 1
            }
        );
    }

    #[test]
    fn bad_rows_are_located_and_refuse_the_file() {
        let csv = format!(
            "household_id,county_code,village_code,member_id\n\
             h1,450124,450124100201,{A}\n\
             h1,450124,450124100202,110105194912310046\n\
             h1,450124,450124100201,{A}\n\
             h2,45012,450124100201,{A}\n\
             h3,450124,450124100201,110105194912310021\n\
             h4,450124,450124100201,{A}\n"
        );
        let mut r = HouseholdsReader::new("h.csv", csv.as_bytes()).unwrap();
        let good: Vec<_> = r.by_ref().map(|h| h.unwrap().household_id).collect();
        assert_eq!(good, ["h4"]);
        let e = r.finish().unwrap_err();
        let CrosscheckError::Rows { rows, .. } = &e else {
            panic!("{e}")
        };
        let at: Vec<_> = rows.iter().map(|r| (r.line, r.field.unwrap())).collect();
        assert_eq!(
            at,
            [
                (3, "village_code"),
                (4, "member_id"),
                (5, "county_code"),
                (6, "member_id")
            ]
        );
        assert!(!e.to_string().contains(A), "{e}");
    }
}
