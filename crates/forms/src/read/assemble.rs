//! Assembling visit records from the rows of the section sheets: each sheet's columns put
//! into the record's fields (visits, household, members, housing, water, approval,
//! identification, notes); rows joined to their visit by `household_id` (a row of no visit,
//! a household without its row in sheet household, a second row where one is allowed are
//! refused); each record's own checks ([`VisitRecord::validate`]) placed back in the
//! sheets; and every problem returned in sheet and row order.
//!
//! Not for: reading a cell as a type or placing its problem (`row`), or the workbook's
//! bytes and sheets (`load`).

use super::load::{Loaded, Sheet};
use super::row::{header, RowReader};
use super::FilledVisit;
use crate::columns::{
    Column, SheetDef, APPROVAL, HOUSEHOLD, HOUSING, IDENTIFICATION, MEMBERS, NOTES, SHEETS, VISITS,
    WATER,
};
use crate::{CellProblem, FormsError};
use assess_inspection::{
    Approval, Components, Disposition, Gps, HouseholdRecord, Housing, IdNumber, Identification,
    IncomeBySource, MedicalCover, Member, Note, VisitRecord, Water,
};
use std::collections::{HashMap, HashSet};

/// Where each visit's parts were found.
struct Found {
    row: u32,
    visit: VisitRecord,
    household: Option<(u32, HouseholdRecord)>,
    note_rows: Vec<u32>,
    /// Whether the record's own checks apply (not when its disposition could not be read).
    checked: bool,
}

pub(super) struct Assembler<'a> {
    file: &'a str,
    sheets: HashMap<&'static str, Sheet>,
    problems: Vec<CellProblem>,
    found: Vec<Found>,
    /// Household id → index in `found`.
    visited: HashMap<String, usize>,
    /// Household id → its blank row in `visits` (not visited).
    skipped: HashMap<String, u32>,
    /// The header of sheet `visits` has problems.
    visits_unusable: bool,
}

impl<'a> Assembler<'a> {
    pub(super) fn new(file: &'a str, loaded: Loaded) -> Self {
        Assembler {
            file,
            sheets: loaded.sheets,
            problems: loaded.problems,
            found: Vec::new(),
            visited: HashMap::new(),
            skipped: HashMap::new(),
            visits_unusable: false,
        }
    }

    fn sheet_name(&self, def: &SheetDef) -> String {
        self.sheets
            .get(def.name)
            .map_or(def.name.to_string(), |s| s.name.clone())
    }

    /// Calls `each` for every data row of the sheet, with a reader for the row.
    fn rows(
        &mut self,
        def: &'static SheetDef,
        mut each: impl FnMut(&mut RowReader<'_>, &mut Ctx<'_>),
    ) {
        let Some(sheet) = self.sheets.remove(def.name) else {
            return;
        };
        let header = header(self.file, def, &sheet, &mut self.problems);
        // Without a usable visits sheet, the other sheets' rows would all be reported as
        // belonging to no visit: only their headers are checked.
        if def.name == VISITS.name && header.is_none() {
            self.visits_unusable = true;
        }
        let header = header.filter(|_| !self.visits_unusable);
        if let Some(header) = header {
            let mut ctx = Ctx {
                found: &mut self.found,
                visited: &mut self.visited,
                skipped: &mut self.skipped,
            };
            for (&r, cells) in sheet.rows.range(1..) {
                let mut reader = RowReader {
                    file: self.file,
                    def,
                    sheet: &sheet.name,
                    row: r + 1,
                    household: None,
                    cells,
                    header: &header,
                    problems: &mut self.problems,
                };
                each(&mut reader, &mut ctx);
            }
        }
        self.sheets.insert(def.name, sheet);
    }

    pub(super) fn run(mut self) -> Result<Vec<FilledVisit>, FormsError> {
        self.rows(&VISITS, read_visit);
        self.rows(&HOUSEHOLD, read_household);
        self.rows(&MEMBERS, |r, ctx| {
            if let Some(h) = ctx.household_of(r) {
                let member = read_member(r);
                h.members.push(member);
            }
        });
        let mut once: HashMap<&'static str, HashMap<usize, u32>> = HashMap::new();
        self.rows(&HOUSING, |r, ctx| {
            if let Some(i) = ctx.once(r, once.entry("housing").or_default()) {
                let housing = read_housing(r);
                if let Some((_, h)) = &mut ctx.found[i].household {
                    h.housing = housing;
                }
            }
        });
        self.rows(&WATER, |r, ctx| {
            if let Some(i) = ctx.once(r, once.entry("water").or_default()) {
                let water = read_water(r);
                if let Some((_, h)) = &mut ctx.found[i].household {
                    h.water = water;
                }
            }
        });
        self.rows(&APPROVAL, |r, ctx| {
            if let Some(i) = ctx.once(r, once.entry("approval").or_default()) {
                let approval = Approval {
                    exit: r.choice("exit"),
                    policies: r.choice("policies"),
                    help_received: r.choice("help_received"),
                    cadres_work: r.choice("cadres_work"),
                };
                if let Some((_, h)) = &mut ctx.found[i].household {
                    h.approval = Some(approval);
                }
            }
        });
        self.rows(&IDENTIFICATION, |r, ctx| {
            if let Some(i) = ctx.once(r, once.entry("identification").or_default()) {
                let identification = Identification {
                    owns_vehicle: r.flag("owns_vehicle"),
                    vehicle_value_yuan: r.number("vehicle_value_yuan"),
                    urban_flat_or_shop: r.flag("urban_flat_or_shop"),
                    registered_company: r.flag("registered_company"),
                    public_payroll: r.flag("public_payroll"),
                    village_cadre: r.flag("village_cadre"),
                };
                if let Some((_, h)) = &mut ctx.found[i].household {
                    h.identification = Some(identification);
                }
            }
        });
        self.rows(&NOTES, |r, ctx| {
            if let Some(i) = ctx.visit_of(r) {
                let note = Note {
                    rule: r.required(
                        "rule",
                        "name the rule the note answers, as `assess check` prints it",
                    ),
                    text: r.required("text", "say why the warning needs no correction"),
                };
                ctx.found[i].visit.notes.push(note);
                ctx.found[i].note_rows.push(r.row);
            }
        });
        self.validate();
        if self.found.is_empty() && self.problems.is_empty() && !self.visits_unusable {
            let sheet = self.sheet_name(&VISITS);
            self.problems.push(CellProblem {
                file: self.file.to_string(),
                sheet,
                row: None,
                household_id: None,
                column: None,
                message: "holds no visit (no row has a disposition); fill in a row for each household visited".to_string(),
            });
        }
        if !self.problems.is_empty() {
            let order = |p: &CellProblem| {
                SHEETS
                    .iter()
                    .position(|d| d.name.eq_ignore_ascii_case(p.sheet.trim()))
                    .unwrap_or(SHEETS.len())
            };
            self.problems
                .sort_by_key(|p| (order(p), p.row.unwrap_or(0)));
            return Err(FormsError::Invalid(self.problems));
        }
        Ok(self
            .found
            .into_iter()
            .map(|f| {
                let mut visit = f.visit;
                visit.household = f.household.map(|(_, h)| h);
                FilledVisit { row: f.row, visit }
            })
            .collect())
    }

    /// Each record's own checks ([`VisitRecord::validate`]), placed in the sheets; a cell that
    /// already has a problem is not reported twice.
    fn validate(&mut self) {
        let taken: HashSet<(String, Option<u32>, Option<String>)> = self
            .problems
            .iter()
            .map(|p| (p.sheet.clone(), p.row, p.column.clone()))
            .collect();
        let visits = self.sheet_name(&VISITS);
        let households = self.sheet_name(&HOUSEHOLD);
        let notes = self.sheet_name(&NOTES);
        let mut out = Vec::new();
        for f in self.found.iter().filter(|f| f.checked) {
            let mut visit = f.visit.clone();
            visit.household = f.household.as_ref().map(|(_, h)| h.clone());
            for p in visit.validate() {
                let d = visit.disposition.code();
                let (sheet, row, column, message) = match p.field.as_str() {
                    "household" => match &f.household {
                        None => (
                            visits.clone(),
                            f.row,
                            "disposition".to_string(),
                            format!(
                                "a {d} interview needs the household record: add a row for household {} in sheet household (and its members, housing and water)",
                                visit.household_id
                            ),
                        ),
                        Some((row, _)) => (
                            households.clone(),
                            *row,
                            "household_id".to_string(),
                            format!(
                                "the visit's disposition is {d}, and a non-interview has no household record: delete the household's rows in sheets household, members, housing, water, approval and identification, or correct the disposition"
                            ),
                        ),
                    },
                    "interviewers[0]" => (visits.clone(), f.row, "interviewer_1".to_string(), p.message),
                    "interviewers[1]" | "interviewers" => {
                        (visits.clone(), f.row, "interviewer_2".to_string(), p.message)
                    }
                    field if field.starts_with("notes[") => {
                        let i: usize = field
                            .trim_start_matches("notes[")
                            .trim_end_matches(']')
                            .parse()
                            .unwrap_or(0);
                        let row = f.note_rows.get(i).copied().unwrap_or(f.row);
                        let rule_empty = visit.notes.get(i).is_some_and(|n| n.rule.trim().is_empty());
                        let column = if rule_empty { "rule" } else { "text" };
                        (notes.clone(), row, column.to_string(), p.message)
                    }
                    field => (visits.clone(), f.row, field.replace('.', "_"), p.message),
                };
                if !taken.contains(&(sheet.clone(), Some(row), Some(column.clone()))) {
                    out.push(CellProblem {
                        file: self.file.to_string(),
                        sheet,
                        row: Some(row),
                        household_id: Some(visit.household_id.clone()),
                        column: Some(column),
                        message,
                    });
                }
            }
        }
        self.problems.extend(out);
    }
}

/// What the row readers may change: the visits found so far.
struct Ctx<'a> {
    found: &'a mut Vec<Found>,
    visited: &'a mut HashMap<String, usize>,
    skipped: &'a mut HashMap<String, u32>,
}

impl Ctx<'_> {
    /// The visit a row of a child sheet belongs to, by its `household_id`.
    fn visit_of(&mut self, r: &mut RowReader<'_>) -> Option<usize> {
        let id = r.required(
            "household_id",
            "copy the household's id from sheet visits (every row here belongs to a visit there)",
        );
        if id.is_empty() {
            return None;
        }
        r.household = Some(id.clone());
        if let Some(&i) = self.visited.get(&id) {
            return Some(i);
        }
        let message = match self.skipped.get(&id) {
            Some(row) => format!(
                "household {id} has no visit: its row {row} in sheet visits has no disposition; fill in the visit there, or delete this row"
            ),
            None => format!(
                "household {id} is not in sheet visits; every row here must belong to a household listed there: correct the id or add the visit"
            ),
        };
        r.fail("household_id", message);
        None
    }

    /// The household record a row belongs to (it needs a row in sheet household).
    fn household_of(&mut self, r: &mut RowReader<'_>) -> Option<&mut HouseholdRecord> {
        let i = self.visit_of(r)?;
        if self.found[i].household.is_none() {
            let id = self.found[i].visit.household_id.clone();
            r.fail(
                "household_id",
                format!(
                    "household {id} has no row in sheet household; add it there (status, income_year, ...) or delete this row"
                ),
            );
            return None;
        }
        self.found[i].household.as_mut().map(|(_, h)| h)
    }

    /// For the sheets with one row per household: the visit, once.
    fn once(&mut self, r: &mut RowReader<'_>, seen: &mut HashMap<usize, u32>) -> Option<usize> {
        self.household_of(r)?;
        let i = self.visit_of_known(r)?;
        if let Some(first) = seen.get(&i) {
            r.fail(
                "household_id",
                format!("appears again (first at row {first}); give one row per household, or delete this one"),
            );
            return None;
        }
        seen.insert(i, r.row);
        Some(i)
    }

    fn visit_of_known(&self, r: &RowReader<'_>) -> Option<usize> {
        r.household
            .as_ref()
            .and_then(|id| self.visited.get(id).copied())
    }
}

fn read_visit(r: &mut RowReader<'_>, ctx: &mut Ctx<'_>) {
    let household_id = r.text("household_id").unwrap_or_default();
    // A row with nothing but what a pre-filled template fills is a household not visited.
    if r.blank_except(|name| VISITS.column(name).is_some_and(Column::is_prefilled)) {
        if !household_id.is_empty() {
            ctx.skipped.entry(household_id).or_insert(r.row);
        }
        return;
    }
    if !household_id.is_empty() {
        r.household = Some(household_id.clone());
    }
    let draw_id = r.required(
        "draw_id",
        "copy the draw's id (sample_sha256) from `assess draws`",
    );
    let household_id = r.required(
        "household_id",
        "copy the household's id from the draw's sample.csv",
    );
    let disposition = match r.choice_name("disposition", crate::columns::DISPOSITIONS) {
        None => {
            if r.get("disposition").is_none() {
                r.fail(
                    "disposition",
                    "is empty; write what happened (complete, partial, refused, non_contact, ineligible, relocated, eligibility_unknown)".to_string(),
                );
            }
            None
        }
        Some("ineligible") => match r.choice("ineligible_reason") {
            Some(reason) => Some(Disposition::Ineligible(reason)),
            None => {
                if r.get("ineligible_reason").is_none() {
                    r.fail(
                        "ineligible_reason",
                        "is empty; an ineligible household needs the reason: dissolved, moved_out_of_county or duplicate".to_string(),
                    );
                }
                None
            }
        },
        Some(code) => {
            if r.get("ineligible_reason").is_some() {
                r.fail(
                    "ineligible_reason",
                    format!("is given for a {code} visit; only an ineligible visit has a reason: clear it, or set the disposition to ineligible"),
                );
            }
            serde_json::from_value(serde_json::Value::String(code.to_string())).ok()
        }
    };
    let mode = r.choice("mode");
    let team = r.required("team", "name the field team");
    let interviewers = [
        r.required("interviewer_1", "name both interviewers"),
        r.required("interviewer_2", "name both interviewers"),
    ];
    let start = r.time("start");
    let end = r.time("end");
    let gps_start = gps(r, "gps_start");
    let gps_end = gps(r, "gps_end");
    if household_id.is_empty() {
        return;
    }
    if let Some(&i) = ctx.visited.get(&household_id) {
        let first = ctx.found[i].row;
        r.fail(
            "household_id",
            format!("appears again (first at row {first}); give one row per household"),
        );
        return;
    }
    // A row with problems still counts as the household's visit, so that the rows of the
    // other sheets are checked against it; no record is returned while any problem remains.
    let checked = disposition.is_some();
    let disposition = disposition.unwrap_or(Disposition::EligibilityUnknown);
    ctx.visited.insert(household_id.clone(), ctx.found.len());
    ctx.found.push(Found {
        row: r.row,
        visit: VisitRecord {
            draw_id,
            household_id,
            disposition,
            mode,
            team,
            interviewers,
            start,
            end,
            gps_start,
            gps_end,
            household: None,
            notes: Vec::new(),
        },
        household: None,
        note_rows: Vec::new(),
        checked,
    });
}

fn gps(r: &mut RowReader<'_>, prefix: &str) -> Option<Gps> {
    let (lat_col, lon_col) = (format!("{prefix}_lat"), format!("{prefix}_lon"));
    let lat = r.number(&lat_col);
    let lon = r.number(&lon_col);
    match (lat, lon) {
        (Some(lat), Some(lon)) => Some(Gps { lat, lon }),
        (None, None) => None,
        (Some(_), None) if r.get(&lon_col).is_none() => {
            r.fail(
                &lon_col,
                format!("is empty while {lat_col} is given; give both or neither"),
            );
            None
        }
        (None, Some(_)) if r.get(&lat_col).is_none() => {
            r.fail(
                &lat_col,
                format!("is empty while {lon_col} is given; give both or neither"),
            );
            None
        }
        _ => None,
    }
}

fn read_household(r: &mut RowReader<'_>, ctx: &mut Ctx<'_>) {
    let Some(i) = ctx.visit_of(r) else {
        return;
    };
    let status = r.choice("status");
    if r.get("status").is_none() {
        r.fail(
            "status",
            "is empty; write the register status: exited, poor or non_registered".to_string(),
        );
    }
    let income_year = r.whole::<u16>("income_year", u64::from(u16::MAX));
    if r.get("income_year").is_none() {
        r.fail(
            "income_year",
            "is empty; write the year the income refers to, e.g. 2019".to_string(),
        );
    }
    let record = HouseholdRecord {
        household_id: r.household.clone().unwrap_or_default(),
        status: status.unwrap_or(assess_household::Status::NonRegistered),
        register_members: r.whole("register_members", u64::from(u32::MAX)),
        members: Vec::new(),
        income_year: income_year.unwrap_or_default(),
        income: IncomeBySource {
            wages: r.number("wages"),
            business_net: r.number("business_net"),
            property: r.number("property"),
            transfers: r.number("transfers"),
            in_kind: r.number("in_kind"),
        },
        food_adequate: r.flag("food_adequate"),
        clothing_adequate: r.flag("clothing_adequate"),
        protein_available: r.flag("protein_available"),
        housing: Housing::default(),
        water: Water::default(),
        income_per_person_stated: r.number("income_per_person_stated"),
        approval: None,
        identification: None,
    };
    let f = &mut ctx.found[i];
    if let Some((first, _)) = &f.household {
        r.fail(
            "household_id",
            format!("appears again (first at row {first}); give one row per household, or delete this one"),
        );
        return;
    }
    f.household = Some((r.row, record));
}

fn read_member(r: &mut RowReader<'_>) -> Member {
    let id = r.required("member_id", "number the members 1, 2, ... or write a name");
    let id_number = r
        .text("id_number")
        .and_then(|text| match IdNumber::parse(&text) {
            Ok(n) => Some(n),
            Err(e) => {
                r.fail("id_number", format!("{e}; correct it (or clear the cell)"));
                None
            }
        });
    Member {
        id,
        birth_date: r.date("birth_date"),
        age: r.whole("age", 150),
        sex: r.choice("sex"),
        schooling: r.choice("schooling"),
        cover: MedicalCover {
            basic_medical_insurance: r.flag("basic_medical_insurance"),
            serious_illness_insurance: r.flag("serious_illness_insurance"),
            medical_assistance: r.flag("medical_assistance"),
        },
        id_number,
    }
}

fn read_housing(r: &mut RowReader<'_>) -> Housing {
    Housing {
        site_dangerous: r.flag("site_dangerous"),
        components: Components {
            load_bearing_walls: r.choice("load_bearing_walls"),
            foundation: r.choice("foundation"),
            roof_truss: r.choice("roof_truss"),
            wood_members: r.choice("wood_members"),
        },
        inspector_grade: r.choice("inspector_grade"),
        renovation: r.choice("renovation"),
    }
}

fn read_water(r: &mut RowReader<'_>) -> Water {
    Water {
        litres_per_person_day: r.number("litres_per_person_day"),
        water_scarce_area: r.flag("water_scarce_area"),
        piped_to_yard: r.flag("piped_to_yard"),
        fetch_minutes: r.number("fetch_minutes"),
        horizontal_m: r.number("horizontal_m"),
        vertical_m: r.number("vertical_m"),
        outage_days: r.whole("outage_days", 366),
        quality_ok: r.flag("quality_ok"),
    }
}
