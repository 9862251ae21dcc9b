//! The village stage: probability proportional to size by sequential Poisson sampling.
//!
//! Within a stratum (or one of several independent draws) that must yield n villages:
//! target probabilities λ_i = n·size_i / Σ size, capped iteratively (any λ ≥ 1 becomes a
//! certainty village and the rest are rescaled to the remaining n, until none exceeds 1);
//! key_i = ticket_i / λ_i; the villages with the n − (certainties) smallest keys are drawn.
//! Sequential Poisson sampling (Ohlsson 1998) reaches λ only approximately (3% relative at
//! n = 12-13, 5-8% at n = 2-3), so the inclusion probability reported is the exact one,
//! [`sps_inclusion`]; docs/sampling.md gives the formula.

use crate::county::{CountyDesign, GroupFrame};
use crate::plan::{Filter, Plan, ShortPolicy, SizeMeasure, Take, UnitScope, VillageDesign};
use crate::ticket::{ticket, Stage};
use assess_divisions::VillageCode;
use assess_household::Status;

/// One village-level unit of the register, with what the village stage needs.
#[derive(Debug, Clone, PartialEq)]
pub struct FrameVillage {
    /// The unit.
    pub code: VillageCode,
    /// Households by status, in [`Status::ALL`] order.
    pub households: [u64; 3],
    /// People (sum of members) by status, in [`Status::ALL`] order.
    pub people: [u64; 3],
    /// From the village file: in a remote area.
    pub remote: Option<bool>,
    /// From the village file: a registered poverty village.
    pub poverty_village: Option<bool>,
}

impl FrameVillage {
    /// An empty village (no households yet).
    pub fn new(code: VillageCode) -> FrameVillage {
        FrameVillage {
            code,
            households: [0; 3],
            people: [0; 3],
            remote: None,
            poverty_village: None,
        }
    }

    /// Counts one household.
    pub fn add(&mut self, status: Status, members: u32) {
        let i = status_index(status);
        self.households[i] += 1;
        self.people[i] += u64::from(members);
    }

    /// The size measure of this village. The composite measure needs the county's totals
    /// ([`CountyDesign::size`]); here it is the households of every status, which is positive
    /// exactly when the composite can be.
    pub fn size(&self, measure: SizeMeasure) -> f64 {
        match measure {
            SizeMeasure::Households | SizeMeasure::Composite => {
                self.households.iter().sum::<u64>() as f64
            }
            SizeMeasure::Registered => (self.households[0] + self.households[1]) as f64,
            SizeMeasure::Equal => 1.0,
        }
    }

    /// Whether the village is in the plan's village frame at all. Under a composite plan a
    /// village needs households of a status the plan asks for.
    pub fn eligible(&self, plan: &Plan) -> bool {
        let in_scope = plan.villages.units == UnitScope::All || self.code.kind().is_rural();
        let sized = match plan.per_county() {
            Some(targets) if plan.villages.measure == SizeMeasure::Composite => {
                (0..3).any(|s| targets[s] > 0 && self.households[s] > 0)
            }
            _ => self.size(plan.villages.measure) > 0.0,
        };
        in_scope && sized
    }

    /// Whether the village belongs to a stratum or draw. `None`: an attribute it needs is unknown.
    pub fn matches(&self, filter: &Filter) -> Option<bool> {
        let test = |want: Option<bool>, have: Option<bool>| match want {
            None => Some(true),
            Some(w) => have.map(|h| h == w),
        };
        Some(
            test(filter.remote, self.remote)?
                && test(filter.poverty_village, self.poverty_village)?,
        )
    }
}

/// Position of a status in per-status arrays.
pub fn status_index(status: Status) -> usize {
    match status {
        Status::Exited => 0,
        Status::Poor => 1,
        Status::NonRegistered => 2,
    }
}

/// A sampled village.
#[derive(Debug, Clone, PartialEq)]
pub struct SelectedVillage {
    /// The unit.
    pub code: VillageCode,
    /// Stratum name, or the names of the independent draws that took it joined by `+`,
    /// or `by_hand`.
    pub group: String,
    /// Inclusion probability (the exact π of sequential Poisson sampling, or 1 − Π(1 − π_d)
    /// over independent draws); None when chosen by hand.
    pub pi: Option<f64>,
    /// Drawn with certainty (λ capped at 1 or a take-all stratum).
    pub certainty: bool,
    /// Chosen by hand: a non-probability unit that never enters estimates.
    pub by_hand: bool,
    /// The village's ticket in each group that considered it: (group, ticket, λ, key).
    pub tickets: Vec<GroupTicket>,
    /// Its size measure.
    pub size: f64,
    /// Households of each status it gives (primaries; reserves come on top).
    pub take: [Take; 3],
}

impl SelectedVillage {
    /// The village's chance in the first phase (before any extension), or None when chosen
    /// by hand: 1 − Π(1 − π_d) over the groups that considered it.
    pub fn first_phase_pi(&self) -> Option<f64> {
        if self.by_hand {
            return None;
        }
        let miss: f64 = self
            .tickets
            .iter()
            .map(|t| 1.0 - t.pi_first.min(1.0))
            .product();
        Some(1.0 - miss)
    }

    /// Whether only an extension of the draw took it (no group drew it in the first phase).
    pub fn extension_only(&self) -> bool {
        let drawn = self.tickets.iter().filter(|t| t.drawn);
        drawn.clone().count() > 0 && drawn.into_iter().all(|t| t.extension)
    }

    /// The village's part of the frame, fixed before the draw: the groups that considered it
    /// joined by `+` (its stratum; with independent draws every draw whose frame holds it,
    /// whichever took it), or `by_hand`. The verdict's variance strata.
    pub fn frame_part(&self) -> String {
        if self.by_hand {
            return "by_hand".to_string();
        }
        let groups: Vec<&str> = self.tickets.iter().map(|t| t.group.as_str()).collect();
        groups.join("+")
    }
}

/// [`SelectedVillage::frame_part`] from the `tickets` column of `sample_villages.csv`
/// (`group=ticket@λ` joined by `;`, `*` when that group drew it); `by_hand` when empty.
pub fn frame_part_of_tickets(tickets: &str) -> String {
    let groups: Vec<&str> = tickets
        .split(';')
        .filter(|t| !t.is_empty())
        .filter_map(|t| t.split_once('=').map(|(group, _)| group))
        .collect();
    if groups.is_empty() {
        "by_hand".to_string()
    } else {
        groups.join("+")
    }
}

/// A village's ticket in one stratum or draw.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupTicket {
    /// Stratum or draw name.
    pub group: String,
    /// The ticket.
    pub ticket: f64,
    /// Target inclusion probability in that group (the key's divisor).
    pub lambda: f64,
    /// Exact inclusion probability in that group (of the extended design when the draw was
    /// extended).
    pub pi: f64,
    /// Exact inclusion probability in that group before any extension: what a village's
    /// household take is computed from, so that the take never depends on the phase.
    pub pi_first: f64,
    /// Whether this group drew it.
    pub drawn: bool,
    /// Drawn by an extension (`assess draw --extend`), after the first phase's villages.
    pub extension: bool,
}

/// What one stratum or draw did in one county.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct GroupSummary {
    /// County code.
    pub county: String,
    /// Stratum or draw name.
    pub group: String,
    /// Villages in its frame.
    pub frame_villages: usize,
    /// Sum of the size measure over its frame.
    pub frame_size: f64,
    /// Villages asked for (None: take-all).
    pub n: Option<u32>,
    /// Villages drawn (the extension's included).
    pub drawn: usize,
    /// Villages added to n by extensions of the draw (`assess draw --extend`), in total.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub extended_by: u32,
    /// Of them, drawn with certainty.
    pub certainties: usize,
    /// The stratum the plan pools this one with for the variance when it is left with one
    /// village (`collapse_with`); recorded for the verdict.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collapse_with: Option<String>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// Target inclusion probabilities λ_i = n·s_i/Σs, capped iteratively at 1.
pub fn capped_probabilities(sizes: &[f64], n: u32) -> Vec<f64> {
    let mut certain = vec![false; sizes.len()];
    loop {
        let remaining = f64::from(n) - certain.iter().filter(|c| **c).count() as f64;
        let total: f64 = sizes
            .iter()
            .zip(&certain)
            .filter(|(_, c)| !**c)
            .map(|(s, _)| *s)
            .sum();
        let lambda: Vec<f64> = sizes
            .iter()
            .zip(&certain)
            .map(|(s, c)| {
                if *c {
                    1.0
                } else if total > 0.0 {
                    (remaining * s / total).max(0.0)
                } else {
                    0.0
                }
            })
            .collect();
        let newly: Vec<usize> = (0..sizes.len())
            .filter(|&i| !certain[i] && lambda[i] >= 1.0)
            .collect();
        if newly.is_empty() {
            return lambda;
        }
        newly.into_iter().for_each(|i| certain[i] = true);
    }
}

/// One stratum's or draw's result, member by member (in the order given).
#[derive(Debug, Clone, PartialEq)]
pub struct GroupDraw {
    /// Target inclusion probabilities λ after capping: the keys divide the tickets by them.
    pub lambda: Vec<f64>,
    /// The exact inclusion probabilities the draw gives ([`sps_inclusion`]), extension
    /// included.
    pub pi: Vec<f64>,
    /// The exact inclusion probabilities of the first phase (equal to `pi` unextended).
    pub pi_first: Vec<f64>,
    /// Tickets.
    pub tickets: Vec<f64>,
    /// Drawn or not.
    pub drawn: Vec<bool>,
    /// Drawn by the extension (the next keys after the first phase's).
    pub extension: Vec<bool>,
}

/// Draws `n` of the units `ids` with sizes by sequential Poisson sampling, with village-stage
/// tickets for (seed, county, stratum); `n = None` takes all. The building block of
/// [`draw_villages`], public so that its probabilities can be checked directly.
pub fn pps_group(
    seed: &str,
    county: &str,
    stratum: &str,
    ids: &[&str],
    sizes: &[f64],
    n: Option<u32>,
) -> GroupDraw {
    pps_group_extended(seed, county, stratum, ids, sizes, n, 0)
}

/// [`pps_group`] extended by `extra` villages: the units with the next `extra` keys after
/// the first phase's. The keys divide the tickets by the first phase's λ, so the first phase
/// is drawn exactly as before, and the whole is sequential Poisson sampling of n + extra
/// units with those λ, whose exact inclusion probabilities are `pi`.
pub fn pps_group_extended(
    seed: &str,
    county: &str,
    stratum: &str,
    ids: &[&str],
    sizes: &[f64],
    n: Option<u32>,
    extra: u32,
) -> GroupDraw {
    let tickets = ids
        .iter()
        .map(|id| ticket(seed, Stage::Village, county, stratum, id).value)
        .collect();
    sequential_poisson(ids, sizes, tickets, n, extra)
}

/// Sequential Poisson sampling of n units with sizes, by tickets, and `extra` more by the
/// next keys.
fn sequential_poisson(
    ids: &[&str],
    sizes: &[f64],
    tickets: Vec<f64>,
    n: Option<u32>,
    extra: u32,
) -> GroupDraw {
    let Some(n) = n else {
        return GroupDraw {
            lambda: vec![1.0; ids.len()],
            pi: vec![1.0; ids.len()],
            pi_first: vec![1.0; ids.len()],
            tickets,
            drawn: vec![true; ids.len()],
            extension: vec![false; ids.len()],
        };
    };
    let lambda = capped_probabilities(sizes, n);
    let mut drawn: Vec<bool> = lambda.iter().map(|l| *l >= 1.0).collect();
    let mut extension = vec![false; ids.len()];
    let certainties = drawn.iter().filter(|d| **d).count();
    let mut keyed: Vec<(f64, usize)> = (0..ids.len())
        .filter(|&i| !drawn[i] && lambda[i] > 0.0)
        .map(|i| (tickets[i] / lambda[i], i))
        .collect();
    keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| ids[a.1].cmp(ids[b.1])));
    let wanted = (n as usize).saturating_sub(certainties);
    for (rank, (_, i)) in keyed.iter().enumerate().take(wanted + extra as usize) {
        drawn[*i] = true;
        extension[*i] = rank >= wanted;
    }
    let pi_first = sps_inclusion(&lambda, n as usize);
    let pi = if extra == 0 {
        pi_first.clone()
    } else {
        sps_inclusion(&lambda, (n + extra) as usize)
    };
    GroupDraw {
        pi,
        pi_first,
        lambda,
        tickets,
        drawn,
        extension,
    }
}

/// The village sample of one county: the selected villages (sorted by code) and a summary
/// per group. The plan must have been checked against the frame ([`crate::check_county`]).
pub fn draw_villages(
    plan: &Plan,
    county: &str,
    frame: &[FrameVillage],
    seed: &str,
) -> (Vec<SelectedVillage>, Vec<GroupSummary>) {
    draw_villages_extended(plan, county, frame, seed, 0)
}

/// [`draw_villages`] with `extra` more villages in every stratum or draw that samples (a
/// second phase, Lemeshow and Taber 1991): the first phase's villages and households are
/// unchanged, the new villages are those with the next keys ([`pps_group_extended`]), every
/// inclusion probability is that of the whole, and each village's household take is the one
/// its first-phase chance gives, whichever phase took it.
pub fn draw_villages_extended(
    plan: &Plan,
    county: &str,
    frame: &[FrameVillage],
    seed: &str,
    extra: u32,
) -> (Vec<SelectedVillage>, Vec<GroupSummary>) {
    let design = CountyDesign::new(plan, frame);
    let mut picked: std::collections::BTreeMap<VillageCode, SelectedVillage> = Default::default();
    let mut summaries = Vec::new();
    for g in design.groups() {
        let n = short_policy(plan, g.n, g.members.len());
        let sizes: Vec<f64> = g.members.iter().map(|v| design.size(v)).collect();
        let ids: Vec<&str> = g.members.iter().map(|v| v.code.as_str()).collect();
        let extra = if n.is_some() { extra } else { 0 };
        let draw = pps_group_extended(seed, county, &g.group.name, &ids, &sizes, n, extra);
        let mut summary = summarise(county, &g, &sizes, n, &draw);
        summary.extended_by = extra;
        summaries.push(summary);
        let independent = plan.villages.design == VillageDesign::IndependentDraws;
        record(&g, &sizes, &draw, independent, &mut picked);
    }
    add_by_hand(plan, &design, county, frame, &mut picked);
    let by_code: std::collections::HashMap<&VillageCode, &FrameVillage> =
        frame.iter().map(|v| (&v.code, v)).collect();
    for village in picked.values_mut() {
        if let Some(f) = by_code.get(&village.code) {
            village.take = design.take(f, village.first_phase_pi());
        }
    }
    (picked.into_values().collect(), summaries)
}

/// A village's chance of being drawn, as the village stage would give it (no tickets needed).
#[derive(Debug, Clone, PartialEq)]
pub struct VillageChance<'a> {
    /// The village.
    pub village: &'a FrameVillage,
    /// Its inclusion probability: the exact π of sequential Poisson sampling in its stratum,
    /// or 1 − Π(1 − π_d) over the independent draws that consider it.
    pub pi: f64,
    /// Its part of the frame: the stratum, or the draws that consider it joined by `+` (for
    /// independent draws a partition of the frame fixed before the draw, unlike the draws that
    /// happen to take it).
    pub part: String,
    /// Households of each status it gives when drawn.
    pub take: [Take; 3],
}

/// Every eligible village of one county with its chance of being drawn under `plan`.
pub fn village_chances<'a>(plan: &'a Plan, frame: &'a [FrameVillage]) -> Vec<VillageChance<'a>> {
    let design = CountyDesign::new(plan, frame);
    let eligible = &design.eligible;
    let index: std::collections::HashMap<&VillageCode, usize> = eligible
        .iter()
        .enumerate()
        .map(|(i, v)| (&v.code, i))
        .collect();
    let mut miss = vec![1.0; eligible.len()];
    let mut parts: Vec<Vec<String>> = vec![Vec::new(); eligible.len()];
    for g in design.groups() {
        let sizes: Vec<f64> = g.members.iter().map(|v| design.size(v)).collect();
        let pi = match short_policy(plan, g.n, g.members.len()) {
            Some(n) => sps_inclusion(&capped_probabilities(&sizes, n), n as usize),
            None => vec![1.0; g.members.len()],
        };
        for (v, l) in g.members.iter().zip(pi) {
            let i = index[&v.code];
            miss[i] *= 1.0 - l.min(1.0);
            parts[i].push(g.group.name.clone());
        }
    }
    eligible
        .iter()
        .zip(miss)
        .zip(parts)
        .filter(|(_, parts)| !parts.is_empty())
        .map(|((&village, miss), parts)| VillageChance {
            village,
            pi: 1.0 - miss,
            part: parts.join("+"),
            take: design.take(village, Some(1.0 - miss)),
        })
        .collect()
}

/// A stratum asking for more villages than it has takes them all when the plan says so
/// (`if_short = "take_all"`); otherwise the plan check has already refused the county.
fn short_policy(plan: &Plan, n: Option<u32>, available: usize) -> Option<u32> {
    match n {
        Some(n) if n as usize >= available && plan.villages.if_short == ShortPolicy::TakeAll => {
            None
        }
        other => other,
    }
}

fn summarise(
    county: &str,
    g: &GroupFrame<'_>,
    sizes: &[f64],
    n: Option<u32>,
    draw: &GroupDraw,
) -> GroupSummary {
    GroupSummary {
        county: county.to_string(),
        group: g.group.name.clone(),
        frame_villages: g.members.len(),
        frame_size: sizes.iter().sum(),
        n,
        collapse_with: g.group.collapse_with.clone(),
        extended_by: 0,
        drawn: draw.drawn.iter().filter(|d| **d).count(),
        certainties: draw
            .drawn
            .iter()
            .zip(&draw.lambda)
            .filter(|(d, l)| **d && **l >= 1.0)
            .count(),
    }
}

fn record(
    g: &GroupFrame<'_>,
    sizes: &[f64],
    draw: &GroupDraw,
    independent: bool,
    picked: &mut std::collections::BTreeMap<VillageCode, SelectedVillage>,
) {
    for (i, village) in g.members.iter().enumerate() {
        let entry = GroupTicket {
            group: g.group.name.clone(),
            ticket: draw.tickets[i],
            lambda: draw.lambda[i],
            pi: draw.pi[i],
            pi_first: draw.pi_first[i],
            drawn: draw.drawn[i],
            extension: draw.extension[i],
        };
        match picked.get_mut(&village.code) {
            Some(sel) => merge(sel, entry),
            // Not drawn here: with independent draws the village is remembered all the same,
            // since if a later draw takes it, its π here still counts in pi = 1 − Π(1 − π_d)
            // (villages no draw takes are dropped at the end).
            None if !draw.drawn[i] && !independent => {}
            None => {
                let drawn = draw.drawn[i];
                picked.insert(
                    village.code.clone(),
                    SelectedVillage {
                        code: village.code.clone(),
                        group: if drawn {
                            g.group.name.clone()
                        } else {
                            String::new()
                        },
                        pi: drawn.then(|| draw.pi[i].min(1.0)),
                        certainty: draw.lambda[i] >= 1.0,
                        by_hand: false,
                        tickets: vec![entry],
                        size: sizes[i],
                        take: [Take::Count(0); 3],
                    },
                );
            }
        }
    }
}

fn merge(sel: &mut SelectedVillage, entry: GroupTicket) {
    sel.tickets.push(entry);
    let drawn_by: Vec<&str> = sel
        .tickets
        .iter()
        .filter(|t| t.drawn)
        .map(|t| t.group.as_str())
        .collect();
    sel.group = drawn_by.join("+");
    let miss: f64 = sel.tickets.iter().map(|t| 1.0 - t.pi.min(1.0)).product();
    sel.pi = if drawn_by.is_empty() {
        None
    } else {
        Some(1.0 - miss)
    };
    sel.certainty = sel.tickets.iter().any(|t| t.lambda >= 1.0);
}

fn add_by_hand(
    plan: &Plan,
    design: &CountyDesign<'_>,
    county: &str,
    frame: &[FrameVillage],
    picked: &mut std::collections::BTreeMap<VillageCode, SelectedVillage>,
) {
    picked.retain(|_, v| v.tickets.iter().any(|t| t.drawn));
    for code in &plan.villages.by_hand {
        let Ok(code) = VillageCode::parse(code.get_ref()) else {
            continue;
        };
        if code.county() != county || picked.contains_key(&code) {
            continue;
        }
        let size = frame
            .iter()
            .find(|v| v.code == code)
            .map(|v| design.size(v))
            .unwrap_or(0.0);
        picked.insert(
            code.clone(),
            SelectedVillage {
                code,
                group: "by_hand".into(),
                pi: None,
                certainty: false,
                by_hand: true,
                tickets: vec![],
                size,
                take: [Take::Count(0); 3],
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capping_makes_big_units_certain_and_keeps_the_sum() {
        let lambda = capped_probabilities(&[60.0, 10.0, 10.0, 10.0, 10.0], 2);
        assert_eq!(lambda[0], 1.0);
        for l in &lambda[1..] {
            assert!((l - 0.25).abs() < 1e-12);
        }
        assert!((lambda.iter().sum::<f64>() - 2.0).abs() < 1e-12);
    }

    #[test]
    fn capping_repeats_until_none_exceeds_one() {
        // 50 alone gets 3·50/100 = 1.5; then 30 gets 2·30/50 = 1.2; then the rest share 1.
        let lambda = capped_probabilities(&[50.0, 30.0, 10.0, 10.0], 3);
        assert_eq!(lambda, vec![1.0, 1.0, 0.5, 0.5]);
    }

    #[test]
    fn the_frame_part_is_every_group_that_considered_the_village() {
        let column =
            "remote=0.846103579126365@0.14786223277909738;county=0.0419686313591658@0.05395*";
        assert_eq!(frame_part_of_tickets(column), "remote+county");
        assert_eq!(frame_part_of_tickets("county=0.04@0.07*"), "county");
        assert_eq!(frame_part_of_tickets(""), "by_hand");
        let ticket = |group: &str, drawn| GroupTicket {
            group: group.into(),
            ticket: 0.5,
            lambda: 0.1,
            pi: 0.1,
            pi_first: 0.1,
            drawn,
            extension: false,
        };
        let village = SelectedVillage {
            code: VillageCode::parse("530128102201").unwrap(),
            group: "county".into(),
            pi: Some(0.19),
            certainty: false,
            by_hand: false,
            tickets: vec![ticket("remote", false), ticket("county", true)],
            size: 10.0,
            take: [Take::Count(1); 3],
        };
        // Taken by the county-wide draw only, it still belongs to the remote part.
        assert_eq!(village.frame_part(), "remote+county");
    }

    #[test]
    fn sequential_poisson_takes_certainties_and_smallest_keys() {
        let ids = ["a", "b", "c", "d"];
        let draw = sequential_poisson(
            &ids,
            &[50.0, 30.0, 10.0, 10.0],
            vec![0.9, 0.9, 0.3, 0.2],
            Some(3),
            0,
        );
        assert_eq!(draw.drawn, vec![true, true, false, true]);
    }

    /// λ at n = 2 over sizes 40, 20, 20, 10, 10: 0.8, 0.4, 0.4, 0.2, 0.2. Keys
    /// ticket/λ = 0.5, 0.25, 1.5, 2, 1: the first phase takes the two smallest (b, a); one
    /// more village takes the next key (e, 1.0), leaving the first phase as it was. The
    /// extended probabilities are those of n = 3 with the same λ, and sum to 3.
    #[test]
    fn an_extension_takes_the_next_keys_and_keeps_the_first_phase() {
        let ids = ["a", "b", "c", "d", "e"];
        let sizes = [40.0, 20.0, 20.0, 10.0, 10.0];
        let tickets = vec![0.4, 0.1, 0.6, 0.4, 0.2];
        let first = sequential_poisson(&ids, &sizes, tickets.clone(), Some(2), 0);
        let extended = sequential_poisson(&ids, &sizes, tickets, Some(2), 1);
        assert_eq!(first.drawn, vec![true, true, false, false, false]);
        assert_eq!(extended.drawn, vec![true, true, false, false, true]);
        assert_eq!(extended.extension, vec![false, false, false, false, true]);
        assert_eq!(extended.lambda, first.lambda);
        assert_eq!(extended.pi_first, first.pi);
        let lambda = [0.8, 0.4, 0.4, 0.2, 0.2];
        for (got, want) in extended
            .pi
            .iter()
            .zip(sps_exact_inclusion(&lambda, 3, 20_000))
        {
            assert!((got - want).abs() < 1e-6, "{got} vs {want}");
        }
        assert!((extended.pi.iter().sum::<f64>() - 3.0).abs() < 1e-9);
    }
}

/// Exact inclusion probabilities of sequential Poisson sampling of `n` units among units with
/// target probabilities `lambda` (all below 1: the non-certainty units of a stratum).
///
/// Unit i is drawn when fewer than n other units have a smaller key. With its ticket u,
/// its key is u/λ_i, and unit j's key is below t = u/λ_i with probability min(1, λ_j t), so
/// π_i = ∫₀¹ P(Poisson-binomial{min(1, λ_j u/λ_i)}_{j≠i} ≤ n − 1) du, integrated here by the
/// midpoint rule with `steps` points. Used to state how far λ (the reported pi_village) is
/// from the true π (docs/sampling.md) and to test the draw against the truth.
pub fn sps_exact_inclusion(lambda: &[f64], n: usize, steps: usize) -> Vec<f64> {
    (0..lambda.len())
        .map(|i| {
            if lambda[i] <= 0.0 {
                return 0.0;
            }
            let h = 1.0 / steps as f64;
            (0..steps)
                .map(|k| {
                    let t = (k as f64 + 0.5) * h / lambda[i];
                    let p: Vec<f64> = (0..lambda.len())
                        .filter(|&j| j != i)
                        .map(|j| (lambda[j] * t).min(1.0))
                        .collect();
                    at_most(&p, n.saturating_sub(1))
                })
                .sum::<f64>()
                * h
        })
        .collect()
}

/// Exact inclusion probabilities of sequential Poisson sampling of `n` units among units with
/// target probabilities `lambda` (certainties, λ ≥ 1, have π = 1), fast enough for every
/// stratum of a national draw: the integral of [`sps_exact_inclusion`] after the change of
/// variable s = u/λ_i,
///
/// π_i = λ_i ∫₀^{1/λ_i} P(Σ_{j≠i} Bernoulli(min(1, λ_j s)) ≤ m − 1) ds,
///
/// is a polynomial in s between the kinks s = 1/λ_j, so Gauss-Legendre on each segment is
/// near exact; at each node every unit's leave-one-out Poisson-binomial comes from prefix and
/// suffix products truncated at m counts (O(K m) per node for the K units). Segments stop
/// once even m of the units are all but surely below s.
pub fn sps_inclusion(lambda: &[f64], n: usize) -> Vec<f64> {
    let certain = lambda.iter().filter(|l| **l >= 1.0).count();
    let random: Vec<usize> = (0..lambda.len())
        .filter(|&i| lambda[i] > 0.0 && lambda[i] < 1.0)
        .collect();
    let m = n.saturating_sub(certain);
    let mut pi: Vec<f64> = lambda
        .iter()
        .map(|l| if *l >= 1.0 { 1.0 } else { 0.0 })
        .collect();
    if m == 0 || random.is_empty() {
        return pi;
    }
    if m >= random.len() {
        random.iter().for_each(|&i| pi[i] = 1.0);
        return pi;
    }
    let lam: Vec<f64> = random.iter().map(|&i| lambda[i]).collect();
    let integral = leave_one_out_integrals(&lam, m);
    for (k, &i) in random.iter().enumerate() {
        pi[i] = (lambda[i] * integral[k]).clamp(0.0, 1.0);
    }
    pi
}

/// ∫₀^{1/λ_i} P(Σ_{j≠i} B_j(s) ≤ m − 1) ds for each unit, B_j(s) ~ Bernoulli(min(1, λ_j s)).
fn leave_one_out_integrals(lam: &[f64], m: usize) -> Vec<f64> {
    let k = lam.len();
    let (nodes, weights) = gauss_legendre(GAUSS_POINTS);
    let mut kinks: Vec<f64> = lam.iter().map(|l| 1.0 / l).collect();
    kinks.sort_by(f64::total_cmp);
    kinks.dedup();
    let mut integral = vec![0.0; k];
    let mut prefix = vec![vec![0.0; m]; k + 1];
    let mut suffix = vec![vec![0.0; m]; k + 1];
    let mut a = 0.0;
    for &b in &kinks {
        let half = 0.5 * (b - a);
        for (x, w) in nodes.iter().zip(&weights) {
            let s = a + half * (x + 1.0);
            let p: Vec<f64> = lam.iter().map(|l| (l * s).min(1.0)).collect();
            truncated_products(&p, &mut prefix, &mut suffix);
            for i in (0..k).filter(|&i| s < 1.0 / lam[i]) {
                // P(prefix + suffix ≤ m − 1) = Σ_a P(prefix = a) · P(suffix ≤ m − 1 − a).
                let mut at_most = 0.0;
                let mut cumulative = 0.0;
                let after = &suffix[i + 1];
                let cum: Vec<f64> = after
                    .iter()
                    .map(|v| {
                        cumulative += v;
                        cumulative
                    })
                    .collect();
                for (count, before) in prefix[i].iter().enumerate() {
                    at_most += before * cum[m - 1 - count];
                }
                integral[i] += w * half * at_most;
            }
        }
        a = b;
        // Once m units are surely below s, no other unit can still be drawn later.
        let surely_full = lam.iter().filter(|l| **l * a >= 1.0).count() >= m;
        if surely_full {
            break;
        }
    }
    integral
}

/// Points of the Gauss-Legendre rule on each segment: the integrand is a polynomial of degree
/// at most K there, and 24 points integrate it to about 1e-12 on the strata of real plans
/// (tested against the midpoint rule of the definition).
const GAUSS_POINTS: usize = 24;

/// `prefix[t]` = distribution of the count among units `0..t`, `suffix[t]` among `t..K`, each
/// truncated to counts `0..m`.
fn truncated_products(p: &[f64], prefix: &mut [Vec<f64>], suffix: &mut [Vec<f64>]) {
    let (k, m) = (p.len(), prefix[0].len());
    let add = |from: &[f64], to: &mut [f64], pj: f64| {
        for c in 0..m {
            let stay = from[c] * (1.0 - pj);
            let come = if c > 0 { from[c - 1] * pj } else { 0.0 };
            to[c] = stay + come;
        }
    };
    prefix[0].iter_mut().for_each(|v| *v = 0.0);
    prefix[0][0] = 1.0;
    for t in 0..k {
        let (done, rest) = prefix.split_at_mut(t + 1);
        add(&done[t], &mut rest[0], p[t]);
    }
    suffix[k].iter_mut().for_each(|v| *v = 0.0);
    suffix[k][0] = 1.0;
    for t in (0..k).rev() {
        let (head, tail) = suffix.split_at_mut(t + 1);
        add(&tail[0], &mut head[t], p[t]);
    }
}

/// Nodes and weights of the n-point Gauss-Legendre rule on [−1, 1], by Newton's method on the
/// Legendre polynomial (Press et al., *Numerical Recipes*, `gauleg`). Written here rather than
/// taken from a crate: twenty lines for one fixed rule, checked in the tests by integrating
/// polynomials exactly.
fn gauss_legendre(n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut nodes = vec![0.0; n];
    let mut weights = vec![0.0; n];
    for i in 0..n.div_ceil(2) {
        let mut z = (std::f64::consts::PI * (i as f64 + 0.75) / (n as f64 + 0.5)).cos();
        let mut derivative = 1.0;
        for _ in 0..100 {
            let (mut p1, mut p2) = (1.0, 0.0);
            for j in 0..n {
                let p3 = p2;
                p2 = p1;
                p1 = ((2 * j + 1) as f64 * z * p2 - j as f64 * p3) / (j + 1) as f64;
            }
            derivative = n as f64 * (z * p1 - p2) / (z * z - 1.0);
            let step = p1 / derivative;
            z -= step;
            if step.abs() < 1e-15 {
                break;
            }
        }
        nodes[i] = -z;
        nodes[n - 1 - i] = z;
        let w = 2.0 / ((1.0 - z * z) * derivative * derivative);
        weights[i] = w;
        weights[n - 1 - i] = w;
    }
    (nodes, weights)
}

/// P(at most `m` successes) for independent Bernoulli(p_j), by dynamic programming.
fn at_most(p: &[f64], m: usize) -> f64 {
    let mut dist = vec![0.0; m + 1];
    dist[0] = 1.0;
    for &pj in p {
        for c in (0..=m).rev() {
            let stay = dist[c] * (1.0 - pj);
            let come = if c > 0 { dist[c - 1] * pj } else { 0.0 };
            dist[c] = stay + come;
        }
    }
    dist.iter().sum()
}

#[cfg(test)]
mod exact_tests {
    use super::*;

    #[test]
    fn equal_lambdas_give_exactly_lambda() {
        // Equal λ: sequential Poisson sampling is simple random sampling, π = n/N exactly.
        let pi = sps_exact_inclusion(&[0.4; 5], 2, 4000);
        for p in pi {
            assert!((p - 0.4).abs() < 1e-6, "{p}");
        }
    }

    #[test]
    fn gauss_legendre_integrates_polynomials_exactly() {
        let (x, w) = gauss_legendre(GAUSS_POINTS);
        // ∫_{-1}^{1} t^k dt = 2/(k + 1) for even k, 0 for odd, up to degree 2n − 1.
        for k in 0..(2 * GAUSS_POINTS - 1) {
            let got: f64 = x.iter().zip(&w).map(|(t, w)| w * t.powi(k as i32)).sum();
            let want = if k % 2 == 0 {
                2.0 / (k as f64 + 1.0)
            } else {
                0.0
            };
            assert!((got - want).abs() < 1e-13, "degree {k}: {got} vs {want}");
        }
    }

    /// The fast rule agrees with the plain midpoint rule of the definition (10,000 steps,
    /// error about 1e-8 here) on unequal sizes, with a certainty and n = 2, 3 and 12.
    #[test]
    fn the_fast_exact_probabilities_agree_with_the_definition() {
        let sizes: Vec<f64> = (0..25)
            .map(|i| 5.0 + ((i * 37) % 23) as f64 * 4.0)
            .collect();
        for n in [2u32, 3, 12] {
            let mut with_certainty = sizes.clone();
            with_certainty[7] = 2_000.0;
            for s in [&sizes, &with_certainty] {
                let lambda = capped_probabilities(s, n);
                let fast = sps_inclusion(&lambda, n as usize);
                let certain = lambda.iter().filter(|l| **l >= 1.0).count();
                let random: Vec<f64> = lambda.iter().copied().filter(|l| *l < 1.0).collect();
                let slow = sps_exact_inclusion(&random, n as usize - certain, 10_000);
                let fast_random: Vec<f64> = lambda
                    .iter()
                    .zip(&fast)
                    .filter(|(l, _)| **l < 1.0)
                    .map(|(_, p)| *p)
                    .collect();
                for (a, b) in fast_random.iter().zip(&slow) {
                    assert!((a - b).abs() < 1e-7, "n = {n}: {a} vs {b}");
                }
                assert!((fast.iter().sum::<f64>() - f64::from(n)).abs() < 1e-9);
            }
        }
    }

    #[test]
    fn exact_probabilities_sum_to_n() {
        let lambda = capped_probabilities(&[5.0, 10.0, 20.0, 40.0, 80.0, 45.0], 3);
        let pi = sps_exact_inclusion(&lambda, 3, 4000);
        assert!((pi.iter().sum::<f64>() - 3.0).abs() < 1e-4);
    }
}
