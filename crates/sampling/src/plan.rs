//! Sampling plans: the TOML files in `sample-plans/`, parsed with the position of every
//! setting kept, so that a problem can name its line (docs/plans.md has the format).

use assess_divisions::Region;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt;
use toml::Spanned;

/// A problem with a plan, alone or against a register; `line` points into the TOML.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Problem {
    /// Errors stop a draw; warnings are printed and the draw goes on.
    pub severity: Severity,
    /// 1-based line in the plan file, when the problem belongs to one setting.
    pub line: Option<usize>,
    /// What is wrong and what to do about it.
    pub message: String,
    /// An input the problem asks for, which a front end names its own way.
    pub remedy: Option<Remedy>,
}

/// An input a plan problem asks for. The command line names it by its option; the library
/// words it generically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Remedy {
    /// The village file, with the columns the strata select on.
    VillageFile,
}

impl Remedy {
    /// The remedy in words that name no command-line option.
    pub fn generic(self) -> &'static str {
        match self {
            Remedy::VillageFile => "give the village file, with columns remote and poverty_village",
        }
    }
}

impl Problem {
    /// The problem as [`Display`](fmt::Display) shows it, its remedy worded by `remedy`.
    pub fn worded(&self, remedy: impl Fn(Remedy) -> &'static str) -> String {
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut text = match self.line {
            Some(line) => format!("{kind}: line {line}: {}", self.message),
            None => format!("{kind}: {}", self.message),
        };
        if let Some(r) = self.remedy {
            text.push_str(": ");
            text.push_str(remedy(r));
        }
        text
    }
}

/// How serious a [`Problem`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The draw cannot be made.
    Error,
    /// The draw can be made, but someone should look.
    Warning,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.worded(Remedy::generic))
    }
}

impl Problem {
    /// What kind of problem this is: its severity, its line and its message with every number
    /// and code made `…`. A plan applied to hundreds of counties warns alike about many of
    /// them; grouped by kind, the warnings can be counted instead of listed.
    pub fn kind(&self) -> (Severity, Option<usize>, String) {
        let mut text = String::with_capacity(self.message.len());
        let mut in_number = false;
        for c in self.message.chars() {
            if c.is_ascii_digit() {
                if !in_number {
                    text.push('…');
                }
                in_number = true;
            } else {
                in_number = false;
                text.push(c);
            }
        }
        (self.severity, self.line, text)
    }
}

/// Problems grouped by [`Problem::kind`], each group in the order given, the groups in the
/// order of their first problem.
pub fn group_alike(problems: &[Problem]) -> Vec<Vec<&Problem>> {
    let mut groups: Vec<Vec<&Problem>> = Vec::new();
    let mut index = std::collections::HashMap::new();
    for p in problems {
        let at = *index.entry(p.kind()).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[at].push(p);
    }
    groups
}

/// A plan that could not be read: every problem found, with lines.
#[derive(Debug, thiserror::Error)]
#[error("{}", render(.problems))]
pub struct PlanError {
    /// The problems, in file order where possible.
    pub problems: Vec<Problem>,
}

/// Problems one per line, as printed to users.
pub fn render(problems: &[Problem]) -> String {
    render_worded(problems, Remedy::generic)
}

/// [`render`], each remedy worded by `remedy`.
pub fn render_worded(problems: &[Problem], remedy: impl Fn(Remedy) -> &'static str) -> String {
    problems
        .iter()
        .map(|p| p.worded(&remedy))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A parsed sampling plan.
#[derive(Debug, Clone)]
pub struct Plan {
    /// SHA-256 of the plan file's bytes (recorded in the manifest).
    pub sha256: String,
    /// `[plan]`: what, when, where.
    pub header: Header,
    /// `[villages]`: the first stage.
    pub villages: VillageStage,
    /// `[households]`: the second stage inside each sampled village.
    pub households: HouseholdStage,
    /// `[replacement]`: which visit outcomes may be replaced by reserves.
    pub replacement: Replacement,
    line_starts: Vec<usize>,
}

/// `[plan]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    /// Short name.
    pub name: String,
    /// Free text.
    #[serde(default)]
    pub description: String,
    /// The assessment year.
    pub year: u16,
    /// `auto` (from the 832-county list), `east`, `central` or `west`.
    #[serde(default)]
    pub region: RegionChoice,
    /// The counties (6-digit codes), or `"all"`: every county of the register.
    pub counties: Spanned<Counties>,
}

/// Region of the plan's counties.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq)]
#[serde(rename_all = "lowercase")]
pub enum RegionChoice {
    /// Looked up per county in the 832-county list.
    #[default]
    Auto,
    /// Eastern.
    East,
    /// Central.
    Central,
    /// Western.
    West,
}

impl RegionChoice {
    /// The region of a county under this choice (None: auto and not a poverty county).
    pub fn region_of(self, county: &str) -> Option<Region> {
        match self {
            RegionChoice::Auto => assess_divisions::poverty_county(county).map(|c| c.region),
            RegionChoice::East => Some(Region::East),
            RegionChoice::Central => Some(Region::Central),
            RegionChoice::West => Some(Region::West),
        }
    }
}

/// Which counties a plan covers.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum Counties {
    /// Listed 6-digit codes.
    List(Vec<String>),
    /// `"all"`: every county in the register.
    All(String),
}

/// `[villages]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VillageStage {
    /// Villages per county (sum over strata or draws); optional when every stratum gives `n`.
    pub n: Option<Spanned<u32>>,
    /// Size measure of the probability-proportional-to-size draw.
    #[serde(default)]
    pub measure: SizeMeasure,
    /// Which village-level units are in the frame.
    #[serde(default)]
    pub units: UnitScope,
    /// `stratified` (default) or `independent_draws`.
    #[serde(default)]
    pub design: VillageDesign,
    /// Strata (stratified design); none means one stratum `all`.
    #[serde(default)]
    pub strata: Vec<Spanned<VillageGroup>>,
    /// The draws of the `independent_draws` design (e.g. a remote draw and a county-wide one).
    #[serde(default)]
    pub draws: Vec<Spanned<VillageGroup>>,
    /// Villages chosen by hand: visited, flagged non-probability, never in estimates.
    #[serde(default)]
    pub by_hand: Vec<Spanned<String>>,
    /// What to do when a county has fewer villages in a stratum than the plan asks for.
    #[serde(default)]
    pub if_short: ShortPolicy,
    /// How `n` is split among the strata: as the strata state it (`n` or `share`), or in
    /// proportion to each stratum's total size measure in the county.
    #[serde(default)]
    pub allocation: Allocation,
}

/// How a stratified plan's villages are split among its strata.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Allocation {
    /// Each stratum's `n`, `share` or `take_all`.
    #[default]
    Stated,
    /// `villages.n` split in proportion to the strata's total size measure in each county
    /// (largest remainder): with a composite measure, every household of a status then has
    /// the same chance (a self-weighting design).
    Proportional,
}

/// When a stratum of a county holds fewer villages than asked.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ShortPolicy {
    /// The plan does not fit that county: an error (the default, for one-county plans).
    #[default]
    Error,
    /// Take every village of the stratum with certainty, with a warning (for national plans
    /// applied to counties of every size).
    TakeAll,
}

/// A stratum of villages, or one of several independent draws.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VillageGroup {
    /// Name; enters the tickets, so renaming a stratum changes the draw.
    pub name: String,
    /// Which villages belong (attributes from the village file); empty = all.
    #[serde(default, rename = "where")]
    pub filter: Filter,
    /// Number of villages.
    pub n: Option<u32>,
    /// Share of `villages.n` (all share strata together sum to 1).
    pub share: Option<f64>,
    /// Every village of the stratum is taken (certainty).
    #[serde(default)]
    pub take_all: bool,
    /// Stratum to pool with for variance when this one has fewer than 2 non-certainty villages.
    pub collapse_with: Option<String>,
}

/// Village attributes a stratum or draw selects on.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Filter {
    /// Remote-area villages (village file column `remote`).
    pub remote: Option<bool>,
    /// Registered poverty villages (village file column `poverty_village`).
    pub poverty_village: Option<bool>,
}

impl Filter {
    /// True when the filter selects nothing in particular.
    pub fn is_empty(&self) -> bool {
        self.remote.is_none() && self.poverty_village.is_none()
    }
}

/// Size measure for the village stage.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SizeMeasure {
    /// Proportional to households in the register (all statuses).
    #[default]
    Households,
    /// Proportional to registered (exited + poor) households.
    Registered,
    /// Equal probability.
    Equal,
    /// Folsom, Potter and Williams (1987): `Σ_s f_s N_vs`, with `f_s` each status's overall
    /// sampling fraction from `households.per_county`; households are then taken in each
    /// village so that every household of a status has the chance `f_s`.
    Composite,
}

/// Which village-level units form the village frame.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum UnitScope {
    /// Village committees and units like them (the rural frame).
    #[default]
    Rural,
    /// Every village-level unit with households.
    All,
}

/// The village-stage design.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum VillageDesign {
    /// Disjoint strata, one draw in each.
    #[default]
    Stratified,
    /// Several independent draws over possibly overlapping groups; a village drawn twice is
    /// kept once, with pi = 1 - prod(1 - pi_d).
    IndependentDraws,
}

/// How many households of one register status to take in a village.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum Take {
    /// This many (or all, when the village has fewer).
    Count(u32),
    /// `"all"`: every household of the status (take-all, as some provinces did for exited).
    All(AllWord),
}

/// The word `all`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AllWord {
    /// `"all"`
    All,
}

/// `[households]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HouseholdStage {
    /// Per village and status: `{ exited = 20, poor = 5, non_registered = 25 }`.
    pub per_village: Option<Spanned<BTreeMap<String, Take>>>,
    /// Households per county and status, expected over the draw: `{ exited = 550, poor = 75,
    /// non_registered = 625 }` (with `villages.measure = "composite"`; how many a village gives
    /// then depends on its chance).
    pub per_county: Option<Spanned<BTreeMap<String, u32>>>,
    /// Per village total, split by `ratio`.
    pub total: Option<Spanned<u32>>,
    /// Allocation ratio, e.g. `{ exited = 5, poor = 3, non_registered = 2 }`.
    pub ratio: Option<Spanned<BTreeMap<String, u32>>>,
    /// Reserve households per village and status: a number, or a table by status.
    #[serde(default)]
    pub reserves: Option<Spanned<Reserves>>,
}

/// Reserve households per village and status.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum Reserves {
    /// The same number for every status.
    Same(u32),
    /// By status.
    ByStatus(BTreeMap<String, u32>),
}

/// `[replacement]`
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Replacement {
    /// Visit outcomes that may be replaced by the next reserve.
    #[serde(default)]
    pub replaceable: Vec<Spanned<String>>,
    /// Most reserves used per village and status.
    pub max_reserves_used: Option<u32>,
}

/// Visit outcomes (dispositions) known to the inspection records.
pub const DISPOSITIONS: [&str; 7] = [
    "complete",
    "partial",
    "refused",
    "non_contact",
    "ineligible",
    "relocated",
    "eligibility_unknown",
];

/// Outcomes that may never be replaced: ineligible households leave the population,
/// relocated ones are followed to the resettlement site.
pub const NEVER_REPLACED: [&str; 2] = ["ineligible", "relocated"];

/// Status names as the plan spells them.
pub const STATUS_NAMES: [&str; 3] = ["exited", "poor", "non_registered"];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlan {
    plan: Header,
    villages: VillageStage,
    households: HouseholdStage,
    #[serde(default)]
    replacement: Replacement,
}

impl Plan {
    /// Parses a plan and checks what can be checked without a register.
    pub fn parse(text: &str) -> Result<Plan, PlanError> {
        let line_starts = line_starts(text);
        let raw: RawPlan = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| line_of(&line_starts, s.start));
            let mut message = e.message().to_string();
            if let Some((key, range)) = line.and_then(|l| number_key(text, l)) {
                message = format!("{message}; {key} takes {range}");
            }
            PlanError {
                problems: vec![error(line, message)],
            }
        })?;
        let plan = Plan {
            sha256: hex::encode(Sha256::digest(text.as_bytes())),
            header: raw.plan,
            villages: raw.villages,
            households: raw.households,
            replacement: raw.replacement,
            line_starts,
        };
        let problems = crate::plan_check::plan_alone(&plan);
        if problems.iter().any(|p| p.severity == Severity::Error) {
            return Err(PlanError { problems });
        }
        Ok(plan)
    }

    /// The 1-based line of a byte offset in the plan text.
    pub fn line<T>(&self, spanned: &Spanned<T>) -> Option<usize> {
        Some(line_of(&self.line_starts, spanned.span().start))
    }

    /// The village groups of the design: strata, draws, or one implicit stratum `all`.
    pub fn village_groups(&self) -> Vec<(Option<usize>, VillageGroup)> {
        let listed = match self.villages.design {
            VillageDesign::Stratified => &self.villages.strata,
            VillageDesign::IndependentDraws => &self.villages.draws,
        };
        if listed.is_empty() {
            let all = VillageGroup {
                name: "all".into(),
                filter: Filter::default(),
                n: self.villages.n.as_ref().map(|n| *n.get_ref()),
                share: None,
                take_all: false,
                collapse_with: None,
            };
            return vec![(self.villages.n.as_ref().and_then(|n| self.line(n)), all)];
        }
        listed
            .iter()
            .map(|g| (self.line(g), g.get_ref().clone()))
            .collect()
    }

    /// Number of villages each group draws per county (None for take-all groups).
    pub fn group_sizes(&self) -> Vec<Option<u32>> {
        let groups = self.village_groups();
        let total = self.villages.n.as_ref().map(|n| *n.get_ref()).unwrap_or(0);
        let shares: Vec<f64> = groups.iter().filter_map(|(_, g)| g.share).collect();
        let mut from_shares = largest_remainder(total, &shares).into_iter();
        groups
            .iter()
            .map(|(_, g)| {
                if g.take_all {
                    None
                } else if g.share.is_some() {
                    from_shares.next()
                } else {
                    g.n
                }
            })
            .collect()
    }

    /// Number of villages each group draws in a county whose groups have total sizes
    /// `group_totals` (in `village_groups` order): [`Plan::group_sizes`], or with
    /// `allocation = "proportional"` `villages.n` split in proportion to the totals.
    pub fn group_sizes_for(&self, group_totals: &[f64]) -> Vec<Option<u32>> {
        if self.villages.allocation == Allocation::Stated {
            return self.group_sizes();
        }
        let groups = self.village_groups();
        let total = self.villages.n.as_ref().map(|n| *n.get_ref()).unwrap_or(0);
        let weights: Vec<f64> = groups
            .iter()
            .zip(group_totals)
            .map(|((_, g), t)| if g.take_all { 0.0 } else { *t })
            .collect();
        let split = largest_remainder(total, &weights);
        groups
            .iter()
            .zip(split)
            .map(|((_, g), n)| (!g.take_all).then_some(n))
            .collect()
    }

    /// Expected households per county for each status (in `STATUS_NAMES` order), for a
    /// composite plan.
    pub fn per_county(&self) -> Option<[u32; 3]> {
        let per = self.households.per_county.as_ref()?.get_ref();
        Some(STATUS_NAMES.map(|s| per.get(s).copied().unwrap_or(0)))
    }

    /// Households to take per village for each status (in `STATUS_NAMES` order), for a plan
    /// that fixes them (`per_village`, or `total` with `ratio`); a composite plan's depend
    /// on each village's chance (`CountyDesign::take`).
    pub fn takes(&self) -> [Take; 3] {
        let hh = &self.households;
        if let Some(per) = &hh.per_village {
            return STATUS_NAMES.map(|s| per.get_ref().get(s).copied().unwrap_or(Take::Count(0)));
        }
        let total = hh.total.as_ref().map(|t| *t.get_ref()).unwrap_or(0);
        let ratio = hh
            .ratio
            .as_ref()
            .map(|r| r.get_ref().clone())
            .unwrap_or_default();
        let weights: Vec<f64> = STATUS_NAMES
            .iter()
            .map(|s| ratio.get(*s).copied().unwrap_or(0) as f64)
            .collect();
        let counts = largest_remainder(total, &weights);
        [
            Take::Count(counts[0]),
            Take::Count(counts[1]),
            Take::Count(counts[2]),
        ]
    }

    /// Reserve households per village for each status (in `STATUS_NAMES` order).
    pub fn reserves(&self) -> [u32; 3] {
        match self.households.reserves.as_ref().map(|r| r.get_ref()) {
            None => [0; 3],
            Some(Reserves::Same(n)) => [*n; 3],
            Some(Reserves::ByStatus(map)) => STATUS_NAMES.map(|s| map.get(s).copied().unwrap_or(0)),
        }
    }
}

/// Splits `total` in proportion to `weights` so that the parts sum exactly to `total`
/// (largest remainder, ties to the earlier part). All-zero weights give zeros.
pub fn largest_remainder(total: u32, weights: &[f64]) -> Vec<u32> {
    let sum: f64 = weights.iter().sum();
    if weights.is_empty() || sum <= 0.0 {
        return vec![0; weights.len()];
    }
    let exact: Vec<f64> = weights.iter().map(|w| total as f64 * w / sum).collect();
    let mut parts: Vec<u32> = exact.iter().map(|x| x.floor() as u32).collect();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| {
        (exact[b] - exact[b].floor())
            .total_cmp(&(exact[a] - exact[a].floor()))
            .then(a.cmp(&b))
    });
    let missing = total.saturating_sub(parts.iter().sum());
    for &i in order.iter().take(missing as usize) {
        parts[i] += 1;
    }
    parts
}

/// The numeric settings of a plan and the values each takes, for messages about a bad one.
const NUMBER_KEYS: [(&str, &str); 11] = [
    ("plan.year", "a year from 2014 to 2030"),
    (
        "villages.n",
        "a whole number of villages per county, 1 or more",
    ),
    ("villages.strata.n", "a whole number of villages, 1 or more"),
    ("villages.draws.n", "a whole number of villages, 1 or more"),
    (
        "villages.strata.share",
        "a fraction above 0 and at most 1 (the shares sum to 1)",
    ),
    (
        "households.per_village",
        "a whole number of households, 0 or more, or \"all\", for each status",
    ),
    (
        "households.per_county",
        "a whole number of households, 0 or more, for each status",
    ),
    (
        "households.total",
        "a whole number of households per village, 1 or more",
    ),
    (
        "households.ratio",
        "a whole number, 0 or more, for each status",
    ),
    (
        "households.reserves",
        "a whole number of reserves, 0 or more (or one for each status)",
    ),
    ("replacement.max_reserves_used", "a whole number, 0 or more"),
];

/// The numeric setting on `line` (1-based) of a plan's text, by its table and key, and the
/// values it takes; `None` when the line sets no known numeric key.
fn number_key(text: &str, line: usize) -> Option<(String, &'static str)> {
    let lines: Vec<&str> = text.lines().collect();
    let here = lines.get(line.checked_sub(1)?)?;
    let key = here.split('=').next()?.trim();
    let table = lines[..line - 1]
        .iter()
        .rev()
        .map(|l| l.trim())
        .find(|l| l.starts_with('['))?
        .trim_matches(|c| c == '[' || c == ']')
        .trim();
    let path = format!("{table}.{key}");
    NUMBER_KEYS
        .iter()
        .find(|(k, _)| *k == path)
        .map(|&(_, range)| (path, range))
}

pub(crate) fn error(line: Option<usize>, message: String) -> Problem {
    Problem {
        remedy: None,
        severity: Severity::Error,
        line,
        message,
    }
}

pub(crate) fn warning(line: Option<usize>, message: String) -> Problem {
    Problem {
        remedy: None,
        severity: Severity::Warning,
        line,
        message,
    }
}

fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

fn line_of(starts: &[usize], offset: usize) -> usize {
    starts.partition_point(|&s| s <= offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn largest_remainder_sums_exactly() {
        assert_eq!(largest_remainder(25, &[0.5, 0.5]), vec![13, 12]);
        assert_eq!(largest_remainder(50, &[5.0, 3.0, 2.0]), vec![25, 15, 10]);
        assert_eq!(largest_remainder(7, &[1.0, 1.0, 1.0]), vec![3, 2, 2]);
        assert_eq!(largest_remainder(7, &[0.0, 0.0]), vec![0, 0]);
    }

    #[test]
    fn a_bad_number_names_its_key_and_range() {
        let text = "[plan]\nname = \"x\"\nyear = 2018\ncounties = [\"530128\"]\n\n[villages]\nn = -3\n\n[households]\nper_village = { exited = 1 }\n";
        let err = Plan::parse(text).unwrap_err().to_string();
        assert!(err.contains("line 7: invalid value"), "{err}");
        assert!(
            err.contains("villages.n takes a whole number of villages per county, 1 or more"),
            "{err}"
        );
    }

    #[test]
    fn a_syntax_error_names_its_line() {
        let err = Plan::parse("[plan]\nname = \"x\"\nyear = twenty\n").unwrap_err();
        assert_eq!(err.problems[0].line, Some(3), "{err}");
    }

    #[test]
    fn warnings_alike_but_for_their_numbers_are_one_kind() {
        let w = |line, message: &str| Problem {
            severity: Severity::Warning,
            line,
            message: message.to_string(),
            remedy: None,
        };
        let problems = [
            w(Some(18), "county 530103 has 10 villages"),
            w(
                None,
                "county 530103: 31 of 32 villages have fewer than 22 exited households",
            ),
            w(Some(18), "county 530113 has 8 villages"),
            w(Some(23), "county 530113 has 8 villages"),
            w(
                None,
                "county 530113: 125 of 130 villages have fewer than 22 exited households",
            ),
            w(
                None,
                "county 530113: 129 of 130 villages have fewer than 3 poor households",
            ),
        ];
        let groups: Vec<Vec<&str>> = group_alike(&problems)
            .iter()
            .map(|g| g.iter().map(|p| p.message.as_str()).collect())
            .collect();
        assert_eq!(
            groups,
            vec![
                vec![
                    "county 530103 has 10 villages",
                    "county 530113 has 8 villages"
                ],
                vec![
                    "county 530103: 31 of 32 villages have fewer than 22 exited households",
                    "county 530113: 125 of 130 villages have fewer than 22 exited households"
                ],
                vec!["county 530113 has 8 villages"],
                vec!["county 530113: 129 of 130 villages have fewer than 3 poor households"],
            ]
        );
        assert_eq!(problems[0].kind().2, "county … has … villages");
    }
}
