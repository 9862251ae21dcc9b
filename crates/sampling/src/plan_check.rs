//! Plan checks: alone (the TOML is coherent) and against a register (the counties have the
//! villages the plan asks for). Every problem names the plan line it comes from.

use crate::county::CountyDesign;
use crate::plan::{
    error, warning, Allocation, Counties, Plan, Problem, Remedy, SizeMeasure, Take, VillageDesign,
    DISPOSITIONS, NEVER_REPLACED, STATUS_NAMES,
};
use crate::village::{capped_probabilities, FrameVillage};
use assess_divisions::VillageCode;

/// Problems visible in the plan alone.
pub fn plan_alone(plan: &Plan) -> Vec<Problem> {
    let mut problems = Vec::new();
    check_header(plan, &mut problems);
    check_groups(plan, &mut problems);
    check_households(plan, &mut problems);
    check_replacement(plan, &mut problems);
    problems
}

fn check_header(plan: &Plan, out: &mut Vec<Problem>) {
    let line = plan.line(&plan.header.counties);
    match plan.header.counties.get_ref() {
        Counties::All(word) if word != "all" => out.push(error(
            line,
            format!("counties = {word:?}: give a list of 6-digit county codes or \"all\""),
        )),
        Counties::List(list) if list.is_empty() => out.push(error(
            line,
            "counties is empty: name at least one county".into(),
        )),
        Counties::List(list) => {
            for code in list
                .iter()
                .filter(|c| c.len() != 6 || !c.bytes().all(|b| b.is_ascii_digit()))
            {
                out.push(error(
                    line,
                    format!("county {code:?} is not a 6-digit county code"),
                ));
            }
        }
        Counties::All(_) => {}
    }
    if !(2014..=2030).contains(&plan.header.year) {
        out.push(error(
            None,
            format!("plan.year = {} is outside 2014-2030", plan.header.year),
        ));
    }
}

fn check_groups(plan: &Plan, out: &mut Vec<Problem>) {
    let v = &plan.villages;
    let n_line = v.n.as_ref().and_then(|n| plan.line(n));
    match v.design {
        VillageDesign::Stratified if !v.draws.is_empty() => {
            out.push(error(None, "[[villages.draws]] needs villages.design = \"independent_draws\"".into()))
        }
        VillageDesign::IndependentDraws if v.draws.len() < 2 || !v.strata.is_empty() => out.push(error(
            n_line,
            "villages.design = \"independent_draws\" needs two or more [[villages.draws]] and no [[villages.strata]]".into(),
        )),
        _ => {}
    }
    let groups = plan.village_groups();
    if let Some(n) = v.n.as_ref().filter(|n| *n.get_ref() == 0) {
        out.push(error(
            plan.line(n),
            "villages.n = 0 draws no village: give the villages to draw per county, 1 or more"
                .into(),
        ));
    }
    if groups.len() == 1 && v.strata.is_empty() && v.draws.is_empty() && v.n.is_none() {
        out.push(error(
            None,
            "villages.n is missing: say how many villages to draw per county".into(),
        ));
    }
    let proportional = v.allocation == Allocation::Proportional;
    if proportional && (v.design != VillageDesign::Stratified || v.n.is_none()) {
        out.push(error(
            n_line,
            "villages.allocation = \"proportional\" splits villages.n among the strata: it needs \
             villages.n and the stratified design"
                .into(),
        ));
    }
    let mut names = std::collections::BTreeSet::new();
    for (line, g) in &groups {
        let given = [g.n.is_some(), g.share.is_some(), g.take_all]
            .iter()
            .filter(|x| **x)
            .count();
        if proportional && (g.n.is_some() || g.share.is_some()) {
            out.push(error(
                *line,
                format!(
                    "stratum `{}`: with allocation = \"proportional\" the strata give no n or \
                     share (take_all = true is allowed)",
                    g.name
                ),
            ));
        } else if given != 1 && !proportional {
            out.push(error(
                *line,
                format!(
                    "stratum `{}`: give exactly one of n, share or take_all = true",
                    g.name
                ),
            ));
        }
        if v.design == VillageDesign::IndependentDraws && g.n.is_none() {
            out.push(error(
                *line,
                format!("draw `{}`: an independent draw needs its own n", g.name),
            ));
        }
        // `=`, `;`, `@`, `*` and `+` structure the village list's tickets and joined names.
        let structural = |c: char| "=;@*+\u{1f}".contains(c);
        if g.name.is_empty() || g.name.contains(structural) || g.name == "by_hand" {
            out.push(error(
                *line,
                format!(
                    "stratum name {:?} is empty, reserved or holds one of = ; @ * + or the \
                     separator byte 0x1F",
                    g.name
                ),
            ));
        }
        if !names.insert(g.name.clone()) {
            out.push(error(*line, format!("stratum `{}` is named twice", g.name)));
        }
        if matches!(g.n, Some(0)) && !(v.strata.is_empty() && v.draws.is_empty()) {
            out.push(error(
                *line,
                format!(
                    "stratum `{}`: n = 0 draws nothing; remove the stratum or give n >= 1",
                    g.name
                ),
            ));
        }
    }
    for (line, g) in &groups {
        if let Some(other) = &g.collapse_with {
            if !names.contains(other) || other == &g.name {
                out.push(error(
                    *line,
                    format!(
                        "stratum `{}`: collapse_with = {other:?} names no other stratum",
                        g.name
                    ),
                ));
            }
        }
    }
    if !proportional {
        check_shares(plan, &groups, n_line, out);
    }
    let counties = match plan.header.counties.get_ref() {
        Counties::List(list) => Some(list),
        Counties::All(_) => None,
    };
    for code in &v.by_hand {
        match VillageCode::parse(code.get_ref()) {
            Err(_) => out.push(error(
                plan.line(code),
                format!(
                    "by_hand village {:?} is not a 12-digit village code",
                    code.get_ref()
                ),
            )),
            Ok(parsed) => {
                if let Some(list) = counties.filter(|l| !l.iter().any(|c| c == parsed.county())) {
                    out.push(error(
                        plan.line(code),
                        format!(
                            "by_hand village {parsed} is in county {}, which is not among the \
                             plan's counties ({}); add the county to plan.counties or remove \
                             the village",
                            parsed.county(),
                            list.join(", ")
                        ),
                    ));
                }
            }
        }
    }
}

fn check_shares(
    plan: &Plan,
    groups: &[(Option<usize>, crate::plan::VillageGroup)],
    n_line: Option<usize>,
    out: &mut Vec<Problem>,
) {
    let shares: Vec<f64> = groups.iter().filter_map(|(_, g)| g.share).collect();
    let total = plan.villages.n.as_ref().map(|n| *n.get_ref());
    if !shares.is_empty() {
        if shares.iter().any(|s| !(*s > 0.0 && *s <= 1.0))
            || (shares.iter().sum::<f64>() - 1.0).abs() > 1e-9
        {
            out.push(error(
                n_line,
                format!("the strata's shares {shares:?} must be in (0, 1] and sum to 1"),
            ));
        }
        if total.is_none() {
            out.push(error(
                None,
                "strata give shares, so villages.n must say how many villages they share".into(),
            ));
        }
        if groups.iter().any(|(_, g)| g.n.is_some()) {
            out.push(error(
                n_line,
                "mix of n and share across strata: use one or the other".into(),
            ));
        }
    } else if let Some(total) = total {
        let sum: u32 = groups.iter().filter_map(|(_, g)| g.n).sum();
        let explicit = groups.iter().any(|(_, g)| g.n.is_some())
            && !(groups.len() == 1 && plan.villages.strata.is_empty());
        if explicit && sum != total && plan.villages.design == VillageDesign::Stratified {
            out.push(error(
                n_line,
                format!("villages.n = {total} but the strata's n add up to {sum}"),
            ));
        }
    }
}

fn check_households(plan: &Plan, out: &mut Vec<Problem>) {
    let hh = &plan.households;
    let composite = plan.villages.measure == SizeMeasure::Composite;
    if let Some(per) = &hh.per_county {
        check_per_county(plan, per, composite, out);
        return check_reserves(plan, out);
    }
    if composite {
        out.push(error(
            None,
            "villages.measure = \"composite\" needs households.per_county = { exited = .., poor \
             = .., non_registered = .. }: the households expected per county of each status"
                .into(),
        ));
    }
    match (&hh.per_village, &hh.total, &hh.ratio) {
        (Some(per), None, None) => {
            for key in per.get_ref().keys().filter(|k| !STATUS_NAMES.contains(&k.as_str())) {
                out.push(error(plan.line(per), format!("households.per_village: unknown status `{key}` (use exited, poor, non_registered)")));
            }
            if per.get_ref().values().all(|t| *t == Take::Count(0)) {
                out.push(error(plan.line(per), "households.per_village takes no household at all".into()));
            }
        }
        (None, Some(total), Some(ratio)) => {
            for key in ratio.get_ref().keys().filter(|k| !STATUS_NAMES.contains(&k.as_str())) {
                out.push(error(plan.line(ratio), format!("households.ratio: unknown status `{key}` (use exited, poor, non_registered)")));
            }
            if *total.get_ref() == 0 || ratio.get_ref().values().all(|r| *r == 0) {
                out.push(error(plan.line(total), "households.total and households.ratio must both be positive".into()));
            }
        }
        _ => out.push(error(
            None,
            "[households] needs either per_village = { exited = .., poor = .., non_registered = .. } or total = N with ratio = { .. }".into(),
        )),
    }
    check_reserves(plan, out);
}

/// `per_county` is the composite design's own setting, alone.
fn check_per_county(
    plan: &Plan,
    per: &toml::Spanned<std::collections::BTreeMap<String, u32>>,
    composite: bool,
    out: &mut Vec<Problem>,
) {
    let hh = &plan.households;
    let line = plan.line(per);
    if !composite {
        out.push(error(line, "households.per_county needs villages.measure = \"composite\" (Folsom, Potter and Williams 1987), which gives every household of a status the same chance".into()));
    }
    if hh.per_village.is_some() || hh.total.is_some() || hh.ratio.is_some() {
        out.push(error(line, "households.per_county replaces per_village, total and ratio: give only one way of taking households".into()));
    }
    for key in per
        .get_ref()
        .keys()
        .filter(|k| !STATUS_NAMES.contains(&k.as_str()))
    {
        out.push(error(
            line,
            format!(
                "households.per_county: unknown status `{key}` (use exited, poor, non_registered)"
            ),
        ));
    }
    if per.get_ref().values().all(|n| *n == 0) {
        out.push(error(
            line,
            "households.per_county takes no household at all".into(),
        ));
    }
}

fn check_reserves(plan: &Plan, out: &mut Vec<Problem>) {
    if let Some(reserves) = &plan.households.reserves {
        if let crate::plan::Reserves::ByStatus(map) = reserves.get_ref() {
            for key in map.keys().filter(|k| !STATUS_NAMES.contains(&k.as_str())) {
                out.push(error(
                    plan.line(reserves),
                    format!("households.reserves: unknown status `{key}`"),
                ));
            }
        }
    }
}

fn check_replacement(plan: &Plan, out: &mut Vec<Problem>) {
    for outcome in &plan.replacement.replaceable {
        let name = outcome.get_ref().as_str();
        if NEVER_REPLACED.contains(&name) {
            out.push(error(plan.line(outcome), format!("`{name}` households are never replaced (ineligible ones leave the population; relocated ones are followed)")));
        } else if !DISPOSITIONS.contains(&name) {
            out.push(error(
                plan.line(outcome),
                format!(
                    "unknown visit outcome `{name}`; known: {}",
                    DISPOSITIONS.join(", ")
                ),
            ));
        }
    }
    let most_reserves = plan.reserves().into_iter().max().unwrap_or(0);
    if let Some(max) = plan.replacement.max_reserves_used {
        if max > most_reserves {
            out.push(warning(None, format!("replacement.max_reserves_used = {max} but at most {most_reserves} reserves are drawn per village and status")));
        }
    }
    if !plan.replacement.replaceable.is_empty() && most_reserves == 0 {
        out.push(warning(
            None,
            "replacement is allowed but households.reserves = 0 draws no reserve".into(),
        ));
    }
}

/// Problems of the plan against one county's villages in the register.
pub fn check_county(
    plan: &Plan,
    county: &str,
    frame: &[FrameVillage],
    urban_households: u64,
) -> Vec<Problem> {
    let mut out = Vec::new();
    if frame.is_empty() {
        out.push(error(
            plan.line(&plan.header.counties),
            format!("county {county} has no households in the register"),
        ));
        return out;
    }
    let eligible: Vec<&FrameVillage> = frame.iter().filter(|v| v.eligible(plan)).collect();
    if urban_households > 0 && plan.villages.units == crate::plan::UnitScope::Rural {
        out.push(warning(None, format!("county {county}: {urban_households} households live in residents' committees (urban units) and are outside the rural village frame")));
    }
    let zero = frame
        .iter()
        .filter(|v| v.code.kind().is_rural() && v.size(plan.villages.measure) == 0.0)
        .count();
    if zero > 0 {
        out.push(warning(None, format!("county {county}: {zero} villages have no registered household and cannot be drawn with measure = \"registered\"")));
    }
    // Without the village attributes every stratum would look empty: one root cause, one error.
    if check_membership(plan, county, &eligible, &mut out) {
        let design = CountyDesign::new(plan, frame);
        check_group_sizes(plan, county, &design, &mut out);
    }
    check_by_hand(plan, county, frame, &mut out);
    check_shortfall(plan, county, &eligible, &mut out);
    out
}

/// Checks which stratum each village falls in; false when the strata cannot be told apart for
/// want of village attributes (the one error then reported is the missing village file).
fn check_membership(
    plan: &Plan,
    county: &str,
    eligible: &[&FrameVillage],
    out: &mut Vec<Problem>,
) -> bool {
    let groups = plan.village_groups();
    for (line, g) in &groups {
        let unknown: Vec<&str> = eligible
            .iter()
            .filter(|v| v.matches(&g.filter).is_none())
            .map(|v| v.code.as_str())
            .collect();
        if let Some(first) = unknown.first() {
            out.push(Problem {
                remedy: Some(Remedy::VillageFile),
                ..error(*line, format!(
                    "stratum `{}` selects on village attributes, but the village file gives none for {first} and {} other villages of county {county}",
                    g.name, unknown.len() - 1
                ))
            });
            return false;
        }
    }
    if plan.villages.design != VillageDesign::Stratified {
        return true;
    }
    let counts: Vec<(&FrameVillage, usize)> = eligible
        .iter()
        .map(|v| {
            (
                *v,
                groups
                    .iter()
                    .filter(|(_, g)| v.matches(&g.filter) == Some(true))
                    .count(),
            )
        })
        .collect();
    if let Some((v, _)) = counts.iter().find(|(_, c)| *c == 0) {
        let n = counts.iter().filter(|(_, c)| *c == 0).count();
        out.push(error(None, format!("county {county}: {n} villages (e.g. {}) belong to no stratum; strata must cover every village", v.code)));
    }
    if let Some((v, _)) = counts.iter().find(|(_, c)| *c > 1) {
        let n = counts.iter().filter(|(_, c)| *c > 1).count();
        out.push(error(None, format!("county {county}: {n} villages (e.g. {}) belong to more than one stratum; strata must not overlap", v.code)));
    }
    true
}

fn check_group_sizes(plan: &Plan, county: &str, design: &CountyDesign<'_>, out: &mut Vec<Problem>) {
    let implicit = plan.villages.strata.is_empty() && plan.villages.draws.is_empty();
    for g in design.groups() {
        let Some(n) = g.n else { continue };
        let (line, members) = (g.line, &g.members);
        if n as usize > members.len() {
            let what = if implicit {
                format!(
                    "villages.n = {n} but county {county} has {} {} villages",
                    members.len(),
                    scope_word(plan)
                )
            } else {
                format!("stratum `{}` asks for {n} villages but county {county} has {} {} villages in it", g.group.name, members.len(), scope_word(plan))
            };
            if plan.villages.if_short == crate::plan::ShortPolicy::TakeAll {
                out.push(warning(
                    line,
                    format!(
                        "{what}: all of them are taken with certainty (if_short = \"take_all\")"
                    ),
                ));
            } else {
                out.push(error(
                    line,
                    format!("{what}; or set villages.if_short = \"take_all\""),
                ));
            }
            continue;
        }
        let sizes: Vec<f64> = members.iter().map(|v| design.size(v)).collect();
        let certain = capped_probabilities(&sizes, n)
            .iter()
            .filter(|l| **l >= 1.0)
            .count();
        let random = n as usize - certain;
        if random == 1
            && g.group.collapse_with.is_none()
            && plan.villages.design == VillageDesign::Stratified
        {
            out.push(error(line, format!(
                "stratum `{}` in county {county} is left with 1 non-certainty village ({certain} certainties): its variance cannot be estimated; draw 2 or more, or name the stratum to pool it with (collapse_with = \"...\")",
                g.group.name
            )));
        }
    }
}

fn scope_word(plan: &Plan) -> &'static str {
    match plan.villages.units {
        crate::plan::UnitScope::Rural => "rural",
        crate::plan::UnitScope::All => "eligible",
    }
}

/// With `counties = "all"`: a village taken by hand in a county the register does not hold
/// (`counties`: the register's counties) is an error, as it is for a plan listing its counties.
/// Only the register says which counties "all" covers, so this is checked against it.
pub fn check_by_hand_counties(plan: &Plan, counties: &[String]) -> Vec<Problem> {
    if !matches!(plan.header.counties.get_ref(), Counties::All(_)) {
        return Vec::new();
    }
    plan.villages
        .by_hand
        .iter()
        .filter_map(|code| {
            let parsed = VillageCode::parse(code.get_ref()).ok()?;
            (!counties.iter().any(|c| c == parsed.county())).then(|| {
                error(
                    plan.line(code),
                    format!(
                        "by_hand village {parsed} is in county {}, which has no households in \
                         the register (the plan's counties are all of the register's); remove \
                         the village or use the register that holds it",
                        parsed.county()
                    ),
                )
            })
        })
        .collect()
}

fn check_by_hand(plan: &Plan, county: &str, frame: &[FrameVillage], out: &mut Vec<Problem>) {
    for code in &plan.villages.by_hand {
        let Ok(parsed) = VillageCode::parse(code.get_ref()) else {
            continue;
        };
        if parsed.county() == county && !frame.iter().any(|v| v.code == parsed) {
            out.push(error(
                plan.line(code),
                format!("by_hand village {parsed} has no households in the register"),
            ));
        }
    }
}

fn check_shortfall(plan: &Plan, county: &str, eligible: &[&FrameVillage], out: &mut Vec<Problem>) {
    if let Some(targets) = plan.per_county() {
        return check_targets(county, &targets, eligible, out);
    }
    for (i, take) in plan.takes().iter().enumerate() {
        let Take::Count(n) = take else { continue };
        let short = eligible
            .iter()
            .filter(|v| v.households[i] < u64::from(*n))
            .count();
        if *n > 0 && short > 0 {
            out.push(warning(None, format!(
                "county {county}: {short} of {} villages have fewer than {n} {} households; a drawn one gives all it has",
                eligible.len(),
                STATUS_NAMES[i]
            )));
        }
    }
}

/// A composite plan asking for as many households of a status as the county has cannot keep
/// every household's chance at f_s: a drawn village then gives all it has.
fn check_targets(
    county: &str,
    targets: &[u32; 3],
    eligible: &[&FrameVillage],
    out: &mut Vec<Problem>,
) {
    for (s, &target) in targets.iter().enumerate() {
        let population: u64 = eligible.iter().map(|v| v.households[s]).sum();
        if target > 0 && u64::from(target) >= population {
            out.push(warning(None, format!(
                "county {county}: households.per_county asks for {target} {} households but the county has {population}; drawn villages give all they have and the design is no longer self-weighting",
                STATUS_NAMES[s]
            )));
        }
    }
}
