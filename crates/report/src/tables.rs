//! The tables every report shows, built once from the verdict: the Markdown, the HTML page and
//! the workbook render the same rows, so they cannot disagree.

use crate::text::{self, pct, place, Lang};
use crate::Report;
use assess_verdict::{
    ApprovalDefinition, Decision, DontKnow, FailingHousehold, MissedDenominator, RateBasis,
    VarianceMethod, Verdict, VerdictFile,
};

/// One cell: its kind decides how each format shows it (a percentage is text in Markdown and
/// HTML, a number with a percentage format in the workbook).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    /// Text.
    Text(String),
    /// A code or hash: monospace in HTML.
    Code(String),
    /// A count.
    Int(i64),
    /// A number shown with this many decimals.
    Num(f64, usize),
    /// A proportion shown as a percentage.
    Pct(f64),
    /// Pass (true) or fail, shown in words and coloured.
    Pass(bool, String),
    /// Nothing.
    Empty,
}

impl Cell {
    /// The cell as text (Markdown, HTML).
    pub fn text(&self) -> String {
        match self {
            Cell::Text(s) | Cell::Code(s) | Cell::Pass(_, s) => s.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Num(x, d) => format!("{x:.d$}"),
            Cell::Pct(x) => pct(*x),
            Cell::Empty => String::new(),
        }
    }

    /// Whether the column reads better right-aligned.
    pub fn numeric(&self) -> bool {
        matches!(self, Cell::Int(_) | Cell::Num(..) | Cell::Pct(_))
    }
}

/// A computed number, or "not estimable" when it cannot be computed (a design effect with
/// nothing found divides 0 by 0): a report never prints NaN.
fn estimate(w: &text::Words, x: f64, decimals: usize) -> Cell {
    if x.is_finite() {
        Cell::Num(x, decimals)
    } else {
        t(w.not_estimable)
    }
}

pub(crate) fn t(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

fn count(n: usize) -> Cell {
    Cell::Int(i64::try_from(n).unwrap_or(i64::MAX))
}

/// A titled table.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Table {
    /// Heading.
    pub title: String,
    /// Column headers.
    pub headers: Vec<String>,
    /// Rows, each as long as `headers`.
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    pub(crate) fn new(title: &str, headers: &[&str]) -> Table {
        Table {
            title: title.to_string(),
            headers: headers.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    /// A two-column table of (label, value).
    fn pairs(title: &str, lang: Lang, rows: Vec<(&str, Cell)>) -> Table {
        let w = lang.words();
        Table {
            title: title.to_string(),
            headers: vec![w.item.to_string(), w.value.to_string()],
            rows: rows.into_iter().map(|(k, v)| vec![t(k), v]).collect(),
        }
    }
}

pub(crate) fn decision(lang: Lang, d: Decision) -> &'static str {
    let w = lang.words();
    match d {
        Decision::Approve => w.approve,
        Decision::Defer => w.defer,
        Decision::Undecided => w.undecided,
    }
}

fn basis(lang: Lang, b: RateBasis) -> &'static str {
    let w = lang.words();
    match b {
        RateBasis::Official => w.official_basis,
        RateBasis::Design => w.design_basis,
    }
}

/// A confidence level: "95%", "97.5%".
pub(crate) fn level(c: f64) -> String {
    let p = 100.0 * c;
    if (p - p.round()).abs() < 1e-9 {
        format!("{p:.0}%")
    } else {
        format!("{p:.1}%")
    }
}

fn county(v: &Verdict) -> String {
    if v.county_name.is_empty() {
        v.county_code.clone()
    } else {
        format!("{} {}", v.county_code, v.county_name)
    }
}

fn stage(lang: Lang, s: &str) -> String {
    let w = lang.words();
    match s {
        "before" => w.before.to_string(),
        "after" => w.after.to_string(),
        other => other.to_string(),
    }
}

/// County, decision, basis and the headline counts.
pub(crate) fn summary(r: &Report, lang: Lang) -> Table {
    let w = lang.words();
    let f = r.file;
    let v = &f.verdict;
    Table::pairs(
        w.summary,
        lang,
        vec![
            (w.county, t(county(v))),
            (
                w.decision,
                Cell::Pass(
                    v.decision == Decision::Approve,
                    decision(lang, v.decision).to_string(),
                ),
            ),
            (w.rate_basis, t(basis(lang, v.settings.rate_basis))),
            (w.confidence, t(level(v.settings.confidence))),
            (w.ci_method, t(text::ci_method(lang, v.settings.ci.name()))),
            (w.appeals_stage, t(stage(lang, &f.provenance.appeals))),
            (w.records, count(f.provenance.records)),
            (w.interviewed, count(v.counts.interviewed)),
            (w.failing_households, count(v.failing_households.len())),
            (w.flagged_households, count(v.identification_flags.len())),
            (w.sampled_villages, count(r.villages.len())),
        ]
        .into_iter()
        // Shown only when there are some, so a settled county's summary reads as before.
        .chain((!v.pending_appeals.is_empty()).then(|| {
            (
                w.pending_appeals,
                Cell::Pass(false, pending_list(lang, &v.pending_appeals)),
            )
        }))
        .collect(),
    )
}

/// "2 (H001, H002)": how many appeals are pending, and for which households.
fn pending_list(lang: Lang, households: &[String]) -> String {
    let sep = if lang == Lang::Zh { "、" } else { ", " };
    match lang {
        Lang::En => format!("{} ({})", households.len(), households.join(sep)),
        Lang::Zh => format!("{}（{}）", households.len(), households.join(sep)),
    }
}

/// The indicator table of the Markdown and the page: values, interval, threshold, result,
/// reading and the largest confidence level excluding the threshold.
pub(crate) fn indicators(v: &Verdict, lang: Lang) -> Table {
    let w = lang.words();
    let level = format!("{} ({:.0}%)", w.interval, 100.0 * v.settings.confidence);
    let mut table = Table::new(
        w.indicators,
        &[
            w.indicator,
            w.official,
            w.design,
            &level,
            w.threshold,
            w.result,
            w.reading,
            w.largest_confidence,
        ],
    );
    for (name, i) in text::ordered(&v.indicators) {
        table.rows.push(vec![
            t(w.indicator_name(name)),
            Cell::Pct(i.official),
            Cell::Pct(i.design),
            t(format!("{} – {}", pct(i.lci), pct(i.uci))),
            t(format!(
                "{} {}",
                if name == "approval_rate" { "≥" } else { "<" },
                pct(i.threshold)
            )),
            Cell::Pass(i.passes, w.pass_fail(i.passes).to_string()),
            t(w.reading(i.reading)),
            t(text::largest_confidence(lang, name, i)),
        ]);
    }
    table
}

/// The estimation details behind each indicator.
pub(crate) fn indicator_details(v: &Verdict, lang: Lang) -> Table {
    let w = lang.words();
    let mut table = Table::new(
        w.estimation_details,
        &[
            w.indicator,
            w.se,
            w.df,
            w.deff,
            w.weighting_effect,
            w.upper_bound,
            w.lower_bound,
            w.households,
            w.numerator,
            w.denominator,
            w.unknown,
            w.if_none_fail,
            w.if_all_fail,
        ],
    );
    for (name, i) in text::ordered(&v.indicators) {
        let df = if i.df < 8 {
            format!("{} ({})", i.df, w.small_df)
        } else {
            i.df.to_string()
        };
        table.rows.push(vec![
            t(w.indicator_name(name)),
            Cell::Pct(i.se),
            t(df),
            estimate(w, i.deff, 2),
            estimate(w, i.weighting_effect, 2),
            Cell::Pct(i.upper_bound),
            Cell::Pct(i.lower_bound),
            count(i.households),
            Cell::Num(i.numerator, 0),
            Cell::Num(i.denominator, 0),
            count(i.unknown),
            Cell::Pct(i.bounds_if_nonrespondents.0),
            Cell::Pct(i.bounds_if_nonrespondents.1),
        ]);
    }
    table
}

/// Every indicator column, one value per cell (the workbook's Indicators sheet).
pub(crate) fn indicators_wide(v: &Verdict, lang: Lang) -> Table {
    let w = lang.words();
    let mut table = Table::new(
        w.indicators,
        &[
            w.indicator,
            w.official,
            w.design,
            w.estimate,
            w.se,
            w.lci,
            w.uci,
            w.upper_bound,
            w.lower_bound,
            w.threshold,
            w.result,
            w.reading,
            w.largest_confidence,
            w.df,
            w.deff,
            w.weighting_effect,
            w.households,
            w.numerator,
            w.denominator,
            w.unknown,
            w.if_none_fail,
            w.if_all_fail,
        ],
    );
    for (name, i) in text::ordered(&v.indicators) {
        table.rows.push(vec![
            t(w.indicator_name(name)),
            Cell::Pct(i.official),
            Cell::Pct(i.design),
            Cell::Pct(i.estimate),
            Cell::Pct(i.se),
            Cell::Pct(i.lci),
            Cell::Pct(i.uci),
            Cell::Pct(i.upper_bound),
            Cell::Pct(i.lower_bound),
            Cell::Pct(i.threshold),
            Cell::Pass(i.passes, w.pass_fail(i.passes).to_string()),
            t(w.reading(i.reading)),
            match i.confidence_excluding {
                Some(c) => Cell::Pct(c),
                None => t(w.none),
            },
            count(i.df),
            estimate(w, i.deff, 2),
            estimate(w, i.weighting_effect, 2),
            count(i.households),
            Cell::Num(i.numerator, 0),
            Cell::Num(i.denominator, 0),
            count(i.unknown),
            Cell::Pct(i.bounds_if_nonrespondents.0),
            Cell::Pct(i.bounds_if_nonrespondents.1),
        ]);
    }
    table
}

/// The wrong-exit, missed and approval rates by township, village stratum, team and
/// interviewers, and approval by register stratum.
pub(crate) fn domains(r: &Report, lang: Lang) -> Table {
    let w = lang.words();
    let v = &r.file.verdict;
    let level = format!("{} ({:.0}%)", w.interval, 100.0 * v.settings.confidence);
    let mut table = Table::new(
        w.domains,
        &[
            w.indicator,
            w.domain,
            w.level,
            w.households,
            w.official,
            w.design,
            &level,
            w.df,
        ],
    );
    for d in &v.domains {
        let (domain, shown) = match d.domain.as_str() {
            "township" => (w.township, place(&d.level, r.names)),
            "village_stratum" => (w.village_stratum, text::village_stratum(lang, &d.level)),
            "team" => (w.team, d.level.clone()),
            "interviewers" => (w.interviewers, d.level.clone()),
            "register_stratum" => (w.register_stratum, text::status(lang, &d.level)),
            other => (other, d.level.clone()),
        };
        // Under 8 degrees of freedom the interval is too unstable to present as a result
        // (it can run from 0 to nearly 100%): the estimate is shown, the interval is not.
        let (interval, df) = if d.few_df {
            (t(w.no_interval), format!("{} ({})", d.df, w.small_df))
        } else {
            (
                t(format!("{} – {}", pct(d.lci), pct(d.uci))),
                d.df.to_string(),
            )
        };
        table.rows.push(vec![
            t(w.indicator_name(&d.indicator)),
            t(domain),
            t(shown),
            count(d.households),
            Cell::Pct(d.official),
            Cell::Pct(d.design),
            interval,
            t(df),
        ]);
    }
    table
}

/// What drove the failing rates, by standard.
pub(crate) fn drivers(r: &Report, lang: Lang) -> Table {
    let w = lang.words();
    let mut table = Table::new(
        w.drivers,
        &[
            w.indicator,
            w.standard,
            w.households,
            w.people,
            w.villages,
            w.townships,
            w.village_strata,
        ],
    );
    for d in &r.file.verdict.drivers {
        table.rows.push(vec![
            t(w.indicator_name(&d.indicator)),
            t(text::standard(lang, &d.standard)),
            count(d.households),
            count(d.people as usize),
            count(d.villages),
            t(text::counted(lang, &d.townships, r.names, |s| {
                s.to_string()
            })),
            t(text::counted(
                lang,
                &d.village_strata,
                &Default::default(),
                |s| text::village_stratum(lang, s),
            )),
        ]);
    }
    table
}

fn finding(lang: Lang, h: &FailingHousehold) -> String {
    let w = lang.words();
    match h.stratum.as_str() {
        "non_registered" => w.missed.to_string(),
        _ => w.wrong_exit.to_string(),
    }
}

/// The failing households: the list the county may contest.
pub(crate) fn failing(r: &Report, lang: Lang, households: &[FailingHousehold]) -> Table {
    let w = lang.words();
    let sep = if lang == Lang::Zh { "、" } else { ", " };
    let mut table = Table::new(
        w.failing_households,
        &[
            w.household,
            w.finding,
            w.register_status,
            w.township,
            w.village,
            w.village_stratum,
            w.people,
            w.standards_failed,
        ],
    );
    for h in households {
        table.rows.push(vec![
            Cell::Code(h.household_id.clone()),
            t(finding(lang, h)),
            t(text::status(lang, &h.stratum)),
            t(place(&h.township, r.names)),
            t(place(&h.village, r.names)),
            t(text::village_stratum(lang, &h.village_stratum)),
            count(h.people as usize),
            t(h.fails
                .iter()
                .map(|s| text::standard(lang, s))
                .collect::<Vec<_>>()
                .join(sep)),
        ]);
    }
    table
}

/// Sample, response and replacement counts, and the cells collapsed.
pub(crate) fn counts(v: &Verdict, lang: Lang) -> Table {
    let w = lang.words();
    let c = &v.counts;
    let mut rows = vec![
        (w.sampled, count(c.sampled)),
        (w.primaries, count(c.primaries)),
        (w.visited, count(c.visited)),
        (w.reserves_used, count(c.reserves_used)),
        (w.ineligible, count(c.ineligible)),
        (w.interviewed, count(c.interviewed)),
        (w.weighted, count(c.weighted)),
        (w.response_rate, Cell::Pct(c.response_rate)),
        (w.replacement_rate, Cell::Pct(c.replacement_rate)),
        (w.collapsed_township, count(v.collapses.into_township)),
        (w.collapsed_county, count(v.collapses.into_county)),
    ];
    if !v.collapses.strata_without_respondents.is_empty() {
        rows.push((
            w.strata_without_respondents,
            t(v.collapses
                .strata_without_respondents
                .iter()
                .map(|s| text::status(lang, s))
                .collect::<Vec<_>>()
                .join(", ")),
        ));
    }
    Table::pairs(w.response, lang, rows)
}

/// Response and replacement by village (with its township), then by team.
pub(crate) fn response_rates(r: &Report, lang: Lang) -> Table {
    let w = lang.words();
    let mut table = Table::new(
        w.rates_by_group,
        &[
            w.unit,
            w.name,
            w.township,
            w.primaries,
            w.visited,
            w.reserves_used,
            w.ineligible,
            w.interviewed,
            w.response_rate,
            w.replacement_rate,
        ],
    );
    let rate = |x: Option<f64>| x.map_or(Cell::Empty, Cell::Pct);
    for g in &r.file.verdict.response_rates {
        let (unit, name, township) = match g.by.as_str() {
            "village" => (
                w.village,
                place(&g.key, r.names),
                place(&g.township, r.names),
            ),
            "team" => (w.team, g.key.clone(), String::new()),
            other => (other, g.key.clone(), g.township.clone()),
        };
        table.rows.push(vec![
            t(unit),
            t(name),
            t(township),
            count(g.primaries),
            count(g.visited),
            count(g.reserves_used),
            count(g.ineligible),
            count(g.interviewed),
            rate(g.response_rate),
            rate(g.replacement_rate),
        ]);
    }
    table
}

/// The decision and each indicator before and after the appeals, when both were computed.
pub(crate) fn appeals(f: &VerdictFile, lang: Lang) -> Option<Table> {
    let w = lang.words();
    let before = &f.before_appeals.as_ref()?.verdict;
    let after = &f.verdict;
    let mut table = Table::new(
        w.appeals,
        &[
            w.item,
            w.before_appeals,
            w.after_appeals,
            w.result,
            w.changed,
        ],
    );
    let mark = |changed: bool| t(if changed { "●" } else { "" });
    table.rows.push(vec![
        t(w.decision),
        t(decision(lang, before.decision)),
        t(decision(lang, after.decision)),
        Cell::Pass(
            after.decision == Decision::Approve,
            decision(lang, after.decision).to_string(),
        ),
        mark(before.decision != after.decision),
    ]);
    for (name, a) in text::ordered(&after.indicators) {
        let Some(b) = before.indicators.get(name) else {
            continue;
        };
        table.rows.push(vec![
            t(w.indicator_name(name)),
            Cell::Pct(b.estimate),
            Cell::Pct(a.estimate),
            Cell::Pass(a.passes, w.pass_fail(a.passes).to_string()),
            mark(a.passes != b.passes || a.estimate != b.estimate),
        ]);
    }
    table.rows.push(vec![
        t(w.failing_households),
        count(before.failing_households.len()),
        count(after.failing_households.len()),
        Cell::Empty,
        mark(before.failing_households.len() != after.failing_households.len()),
    ]);
    Some(table)
}

/// The sampled villages with what was found in each.
pub(crate) fn villages(r: &Report, lang: Lang) -> Table {
    let w = lang.words();
    let mut table = Table::new(
        w.sampled_villages,
        &[
            w.code,
            w.name,
            w.township,
            w.village_stratum,
            w.interviewed,
            w.wrong_exits,
            w.missed_households,
            w.longitude,
            w.latitude,
        ],
    );
    for v in r.villages {
        let (wrong, missed) = r.findings(&v.code);
        table.rows.push(vec![
            Cell::Code(v.code.clone()),
            t(r.names.get(&v.code).cloned().unwrap_or_default()),
            t(place(&v.township, r.names)),
            t(text::village_stratum(lang, &v.village_stratum)),
            count(v.interviewed),
            count(wrong),
            count(missed),
            v.centre.map_or(Cell::Empty, |c| Cell::Num(c.0, 5)),
            v.centre.map_or(Cell::Empty, |c| Cell::Num(c.1, 5)),
        ]);
    }
    table
}

/// Where the verdict came from.
pub(crate) fn provenance(f: &VerdictFile, lang: Lang) -> Table {
    let w = lang.words();
    let p = &f.provenance;
    Table::pairs(
        w.provenance,
        lang,
        vec![
            (w.sample_sha256, Cell::Code(p.sample_sha256.clone())),
            (w.records_sha256, Cell::Code(p.records_sha256.clone())),
            (w.records, count(p.records)),
            (w.appeals_stage, t(stage(lang, &p.appeals))),
            (w.standards_version, t(p.standards_version.clone())),
            (w.thresholds_source, t(f.verdict.thresholds.source.clone())),
            (w.frame_fingerprint, Cell::Code(p.frame_fingerprint.clone())),
            (w.tool_version, t(p.tool_version.clone())),
        ],
    )
}

/// The settings of the run.
pub(crate) fn settings(v: &Verdict, lang: Lang) -> Table {
    let w = lang.words();
    let s = &v.settings;
    let approval = match s.approval {
        ApprovalDefinition::AllQuestions => w.all_questions.to_string(),
        ApprovalDefinition::Score { min_share } => {
            format!("{} {}", w.score_at_least, pct(min_share))
        }
    };
    Table::pairs(
        w.settings,
        lang,
        vec![
            (w.rate_basis, t(basis(lang, s.rate_basis))),
            (w.approval_definition, t(approval)),
            (
                w.dont_know,
                t(match s.dont_know {
                    DontKnow::Exclude => w.dont_know_exclude,
                    DontKnow::NotApproving => w.dont_know_not_approving,
                }),
            ),
            (w.confidence, t(level(s.confidence))),
            (w.ci_method, t(text::ci_method(lang, s.ci.name()))),
            (w.lonely_psu, t(text::lonely_psu(lang, s.lonely_psu))),
            (
                w.rural_population,
                s.rural_population
                    .map_or(t(w.from_register), |n| Cell::Num(n, 0)),
            ),
            (
                w.missed_denominator,
                t(match s.missed_denominator {
                    MissedDenominator::SampledHouseholds => w.missed_over_households,
                    MissedDenominator::SampledVillages => w.missed_over_villages,
                }),
            ),
            (
                w.variance_method,
                t(match s.variance {
                    VarianceMethod::WithReplacement => w.with_replacement,
                    VarianceMethod::WithoutReplacement => w.without_replacement,
                }),
            ),
        ],
    )
}
