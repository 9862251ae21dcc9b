//! The wrong-exit, missed and approval rates by township, village stratum, team and
//! interviewer pair (and approval by register stratum): official `Σ y / Σ m` over the domain's
//! households and the design ratio over the full design with values outside the domain
//! counted as zero, as R's `svyby` (docs/verdict.md, "Domains").

use super::design::{Columns, Context};
use super::finding::Rate;
use super::DomainEstimate;
use crate::weights::Respondent;
use assess_survey::{estimate, Domains};
use std::collections::BTreeSet;

/// A way of dividing the respondents: its name and each respondent's level.
struct Domain {
    name: &'static str,
    level_of: fn(&Respondent) -> String,
}

/// The domains, register stratum last: the two rates belong to one register stratum each, so
/// only approval (asked of every stratum) is divided by it.
static DOMAINS: [Domain; 5] = [
    Domain {
        name: "township",
        level_of: |r| r.household.township.clone(),
    },
    Domain {
        name: "village_stratum",
        level_of: |r| r.household.village_stratum.clone(),
    },
    Domain {
        name: "team",
        level_of: |r| r.visit.team.clone(),
    },
    Domain {
        name: "interviewers",
        level_of: |r| r.visit.interviewers.clone(),
    },
    Domain {
        name: "register_stratum",
        level_of: |r| r.household.stratum.clone(),
    },
];

/// The domains a rate is estimated in.
fn domains_of(rate: Rate) -> &'static [Domain] {
    match rate {
        Rate::Approval => &DOMAINS,
        Rate::WrongExit | Rate::Missed => &DOMAINS[..4],
    }
}

/// Wrong-exit, missed and approval rates in every domain level with at least one household.
pub(super) fn estimates(ctx: &Context) -> Vec<DomainEstimate> {
    let mut out = Vec::new();
    for rate in [Rate::WrongExit, Rate::Missed, Rate::Approval] {
        let columns = ctx.columns(rate);
        for domain in domains_of(rate) {
            let levels: BTreeSet<String> = ctx.respondents.iter().map(domain.level_of).collect();
            for level in levels {
                out.extend(level_estimate(ctx, rate, &columns, domain, level));
            }
        }
    }
    out
}

/// The rate in one level of a domain; `None` when the level has no household with a finding,
/// or the engine cannot estimate it there.
fn level_estimate(
    ctx: &Context,
    rate: Rate,
    columns: &Columns,
    domain: &Domain,
    level: String,
) -> Option<DomainEstimate> {
    let in_level = |i: usize| (domain.level_of)(&ctx.respondents[i]) == level;
    let members: Vec<usize> = (0..ctx.rows.len())
        .filter(|&i| in_level(i) && ctx.rows[i].official && rate.counted(&ctx.rows[i]).is_some())
        .collect();
    if members.is_empty() {
        return None;
    }
    let mask: Vec<bool> = ctx.weighted.iter().map(|&i| in_level(i)).collect();
    let e = estimate(
        &ctx.design,
        columns.ratio(),
        Domains::Subset(&mask),
        &ctx.rate_options(),
    );
    let e = e.and_then(|e| e.single()).ok()?;
    Some(DomainEstimate {
        indicator: rate.kind().name().to_string(),
        domain: domain.name.to_string(),
        level,
        households: members.len(),
        official: official(ctx, rate, &members),
        design: e.estimate,
        se: e.se,
        lci: e.lci,
        uci: e.uci,
        df: e.df,
        few_df: e.df < 8,
    })
}

/// The official ratio `Σ y / Σ m` over the level's households with a finding.
fn official(ctx: &Context, rate: Rate, members: &[usize]) -> f64 {
    let (y, m) = members.iter().fold((0.0, 0.0), |(y, m), &i| {
        let r = &ctx.rows[i];
        let yes = rate.counted(r) == Some(true);
        (y + if yes { rate.unit(r) } else { 0.0 }, m + rate.unit(r))
    });
    y / m
}
