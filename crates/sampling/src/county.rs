//! One county's frame as the village stage sees it: the eligible villages, each one's size
//! measure, each group's members and number of villages, and how many households of each
//! status a village gives. The draw, the plan check and the design review all read the
//! county through this one place, so that they cannot disagree.

use crate::plan::{Plan, SizeMeasure, Take, VillageGroup};
use crate::village::FrameVillage;

/// One county's frame under a plan.
#[derive(Debug, Clone)]
pub struct CountyDesign<'a> {
    plan: &'a Plan,
    /// The eligible villages, in frame order.
    pub eligible: Vec<&'a FrameVillage>,
    /// Composite plans: each status's overall sampling fraction `f_s = per_county_s / N_s`
    /// (at most 1), over the eligible villages.
    fractions: Option<[f64; 3]>,
}

/// A stratum or independent draw in one county.
#[derive(Debug, Clone)]
pub struct GroupFrame<'a> {
    /// The plan line of the group.
    pub line: Option<usize>,
    /// The group.
    pub group: VillageGroup,
    /// Its eligible villages.
    pub members: Vec<&'a FrameVillage>,
    /// Villages it asks for (None: take-all), after a proportional allocation and before
    /// the plan's policy for short strata.
    pub n: Option<u32>,
}

impl<'a> CountyDesign<'a> {
    /// The county's frame under `plan`: `frame` holds the county's villages.
    pub fn new(plan: &'a Plan, frame: &'a [FrameVillage]) -> CountyDesign<'a> {
        let eligible: Vec<&FrameVillage> = frame.iter().filter(|v| v.eligible(plan)).collect();
        let fractions = plan.per_county().map(|targets| {
            std::array::from_fn(|s| {
                let population: u64 = eligible.iter().map(|v| v.households[s]).sum();
                if population == 0 {
                    0.0
                } else {
                    (f64::from(targets[s]) / population as f64).min(1.0)
                }
            })
        });
        CountyDesign {
            plan,
            eligible,
            fractions,
        }
    }

    /// Each status's overall sampling fraction, for a composite plan.
    pub fn fractions(&self) -> Option<[f64; 3]> {
        self.fractions
    }

    /// A village's size measure; the composite `Σ_s f_s N_vs` is the households the village
    /// is expected to give over all its statuses had it certainty.
    pub fn size(&self, village: &FrameVillage) -> f64 {
        match (self.plan.villages.measure, self.fractions) {
            (SizeMeasure::Composite, Some(f)) => {
                (0..3).map(|s| f[s] * village.households[s] as f64).sum()
            }
            (measure, _) => village.size(measure),
        }
    }

    /// The groups with their members and sizes in this county.
    pub fn groups(&self) -> Vec<GroupFrame<'a>> {
        let groups = self.plan.village_groups();
        let members: Vec<Vec<&'a FrameVillage>> = groups
            .iter()
            .map(|(_, g)| {
                self.eligible
                    .iter()
                    .copied()
                    .filter(|v| v.matches(&g.filter) == Some(true))
                    .collect()
            })
            .collect();
        let totals: Vec<f64> = members
            .iter()
            .map(|m| m.iter().map(|v| self.size(v)).sum())
            .collect();
        let sizes = self.plan.group_sizes_for(&totals);
        groups
            .into_iter()
            .zip(members)
            .zip(sizes)
            .map(|(((line, group), members), n)| GroupFrame {
                line,
                group,
                members,
                n,
            })
            .collect()
    }

    /// Households of each status to take in `village`, whose inclusion probability is `pi`
    /// (None for a village chosen by hand). A composite plan takes `f_s N_vs / π_v`, rounded,
    /// at least 1 where the village has the status (so that no household has no chance) and
    /// at most all: every household then has the chance `π_v k_vs / N_vs ≈ f_s`.
    pub fn take(&self, village: &FrameVillage, pi: Option<f64>) -> [Take; 3] {
        let Some(f) = self.fractions else {
            return self.plan.takes();
        };
        let pi = pi.unwrap_or_else(|| self.by_hand_chance(village));
        std::array::from_fn(|s| {
            let n = village.households[s];
            if n == 0 || f[s] <= 0.0 {
                return Take::Count(0);
            }
            let k = (f[s] * n as f64 / pi).round().clamp(1.0, n as f64);
            Take::Count(k as u32)
        })
    }

    /// A village chosen by hand has no chance; it gives what it would at the chance of a
    /// county-wide draw of `villages.n` by the same measure.
    fn by_hand_chance(&self, village: &FrameVillage) -> f64 {
        let total: f64 = self.eligible.iter().map(|v| self.size(v)).sum();
        let n = self.plan.villages.n.as_ref().map_or(1, |n| *n.get_ref());
        if total > 0.0 {
            (f64::from(n) * self.size(village) / total).clamp(f64::MIN_POSITIVE, 1.0)
        } else {
            1.0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use assess_divisions::VillageCode;

    /// Remote A (10 exited, 30 non-registered) and B (20, 30); other C (30, 30) and D (40, 30).
    fn frame() -> Vec<FrameVillage> {
        [(10, true), (20, true), (30, false), (40, false)]
            .iter()
            .enumerate()
            .map(|(i, &(exited, remote))| {
                let code = VillageCode::parse(&format!("530128102{:03}", 201 + i)).unwrap();
                let mut v = FrameVillage::new(code);
                v.households = [exited, 0, 30];
                v.people = [3 * exited, 0, 90];
                v.remote = Some(remote);
                v
            })
            .collect()
    }

    /// By hand: f = 25/100 for exited and 24/120 for non-registered; sizes 0.25·N_e + 0.2·30 =
    /// 8.5, 11 | 13.5, 16; strata totals 19.5 and 29.5, so 2 villages split 0.796 / 1.204 →
    /// 1 and 1 (largest remainder); λ = 8.5/19.5, 11/19.5, 13.5/29.5, 16/29.5; exited taken
    /// 0.25·N_e/λ = 5.735, 8.864, 16.39, 18.44 → 6, 9, 16, 18; non-registered 6/λ = 13.76,
    /// 10.64, 13.11, 11.06 → 14, 11, 13, 11.
    #[test]
    fn composite_sizes_allocation_and_takes_by_hand() {
        let plan = Plan::parse(
            r#"
[plan]
name = "by hand"
year = 2018
counties = ["530128"]
[villages]
n = 2
measure = "composite"
allocation = "proportional"
[[villages.strata]]
name = "remote"
where = { remote = true }
[[villages.strata]]
name = "other"
where = { remote = false }
[households]
per_county = { exited = 25, non_registered = 24 }
"#,
        )
        .unwrap();
        let frame = frame();
        let design = CountyDesign::new(&plan, &frame);
        assert_eq!(design.fractions(), Some([0.25, 0.0, 0.2]));
        let sizes: Vec<f64> = frame.iter().map(|v| design.size(v)).collect();
        assert_eq!(sizes, vec![8.5, 11.0, 13.5, 16.0]);
        let groups = design.groups();
        assert_eq!(
            groups.iter().map(|g| g.n).collect::<Vec<_>>(),
            [Some(1), Some(1)]
        );
        let lambda = [8.5 / 19.5, 11.0 / 19.5, 13.5 / 29.5, 16.0 / 29.5];
        let want = [[6, 14], [9, 11], [16, 13], [18, 11]];
        for ((v, l), [e, nr]) in frame.iter().zip(lambda).zip(want) {
            let take = design.take(v, Some(l));
            assert_eq!(
                take,
                [Take::Count(e), Take::Count(0), Take::Count(nr)],
                "{}",
                v.code
            );
        }
        // A plan with fixed takes gives them whatever the chance.
        let fixed = Plan::parse(&plan_text_with_fixed_takes()).unwrap();
        let design = CountyDesign::new(&fixed, &frame);
        assert_eq!(design.take(&frame[0], Some(0.1)), fixed.takes());
    }

    fn plan_text_with_fixed_takes() -> String {
        r#"
[plan]
name = "fixed"
year = 2018
counties = ["530128"]
[villages]
n = 2
[households]
per_village = { exited = 5, non_registered = 5 }
"#
        .to_string()
    }

    #[test]
    fn composite_settings_out_of_place_are_refused() {
        let base = r#"
[plan]
name = "x"
year = 2018
counties = ["530128"]
[villages]
n = 2
MEASURE
ALLOCATION
[[villages.strata]]
name = "remote"
where = { remote = true }
STRATUM
[[villages.strata]]
name = "other"
where = { remote = false }
STRATUM
[households]
HOUSEHOLDS
"#;
        let plan = |measure: &str, allocation: &str, stratum: &str, households: &str| {
            Plan::parse(
                &base
                    .replace("MEASURE", measure)
                    .replace("ALLOCATION", allocation)
                    .replace("STRATUM", stratum)
                    .replace("HOUSEHOLDS", households),
            )
        };
        let composite = "measure = \"composite\"";
        let proportional = "allocation = \"proportional\"";
        let per_county = "per_county = { exited = 25 }";
        assert!(plan(composite, proportional, "", per_county).is_ok());
        for (m, a, s, h, needle) in [
            (
                composite,
                proportional,
                "",
                "per_village = { exited = 5 }",
                "needs households.per_county",
            ),
            (
                "",
                proportional,
                "",
                per_county,
                "needs villages.measure = \"composite\"",
            ),
            (
                composite,
                proportional,
                "share = 0.5",
                per_county,
                "give no n or share",
            ),
            (
                composite,
                proportional,
                "",
                "per_county = { exited = 0 }",
                "takes no household",
            ),
            (
                composite,
                proportional,
                "",
                "per_county = { rich = 5 }",
                "unknown status `rich`",
            ),
            (
                composite,
                "",
                "",
                per_county,
                "exactly one of n, share or take_all",
            ),
        ] {
            let err = plan(m, a, s, h).unwrap_err().to_string();
            assert!(err.contains(needle), "{needle}: {err}");
        }
    }
}
