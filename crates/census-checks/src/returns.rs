//! Per-return findings: times, places, enumerators in their own county, duplicate and copied
//! returns.

use crate::quality::Quality;
use assess_census::{RegisterRow, ReturnRow};
use geo::{Distance, Haversine, Point};
use serde::Serialize;
use std::collections::HashMap;

/// What a flag says about a return.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FlagKind {
    /// The interview ends before it starts.
    EndBeforeStart,
    /// The interview is shorter than the minimum.
    ShortInterview,
    /// The GPS fix is far from the household's house.
    FarPlace,
    /// The enumerator works in their own county.
    OwnCounty,
    /// A second (or later) return of a household already enumerated.
    Duplicate,
    /// Another household's answers.
    Copied,
}

impl FlagKind {
    /// The kind as written in files (the census truth file's words).
    pub fn as_str(self) -> &'static str {
        match self {
            FlagKind::EndBeforeStart => "end_before_start",
            FlagKind::ShortInterview => "short_interview",
            FlagKind::FarPlace => "far_place",
            FlagKind::OwnCounty => "own_county",
            FlagKind::Duplicate => "duplicate",
            FlagKind::Copied => "copied",
        }
    }

    /// Every kind.
    pub const ALL: [FlagKind; 6] = [
        FlagKind::EndBeforeStart,
        FlagKind::ShortInterview,
        FlagKind::FarPlace,
        FlagKind::OwnCounty,
        FlagKind::Duplicate,
        FlagKind::Copied,
    ];
}

/// One finding about one return: a lead for the county to follow up, not a decision.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Flag {
    /// The return.
    pub return_id: String,
    /// Its household.
    pub household_id: String,
    /// Its county.
    pub county_code: String,
    /// Its village.
    pub village_code: String,
    /// Its enumerator.
    pub enumerator_id: String,
    /// What was found.
    pub kind: FlagKind,
    /// The other return: a duplicate's original, a copy's source.
    pub related_return_id: Option<String>,
    /// What was found, in words with the values.
    pub evidence: String,
}

impl Flag {
    fn of(r: &ReturnRow, kind: FlagKind, related: Option<&ReturnRow>, evidence: String) -> Flag {
        Flag {
            return_id: r.return_id.clone(),
            household_id: r.household_id.clone(),
            county_code: r.county_code.clone(),
            village_code: r.village_code.clone(),
            enumerator_id: r.enumerator_id.clone(),
            kind,
            related_return_id: related.map(|o| o.return_id.clone()),
            evidence,
        }
    }
}

/// The per-return findings of one county's returns, and which returns are duplicates (by
/// index), in the order of `returns`.
pub(crate) fn return_flags(
    returns: &[ReturnRow],
    register: &[RegisterRow],
    q: &Quality,
) -> (Vec<Flag>, Vec<bool>) {
    let mut flags = Vec::new();
    let min_seconds = q.short_interview.min_minutes * 60.0;
    let houses: HashMap<&str, (f64, f64)> = register
        .iter()
        .filter_map(|h| Some((h.household_id.as_str(), (h.lat?, h.lon?))))
        .collect();
    for r in returns {
        let seconds = r.interview_seconds();
        if seconds < 0 {
            flags.push(Flag::of(
                r,
                FlagKind::EndBeforeStart,
                None,
                format!(
                    "the interview ends {} before it starts",
                    duration(seconds.unsigned_abs())
                ),
            ));
        } else if (seconds as f64) < min_seconds {
            flags.push(Flag::of(
                r,
                FlagKind::ShortInterview,
                None,
                format!(
                    "the interview lasted {}, under {} minutes",
                    duration(seconds.unsigned_abs()),
                    q.short_interview.min_minutes
                ),
            ));
        }
        if let (Some(lat), Some(lon), Some(&(hlat, hlon))) =
            (r.gps_lat, r.gps_lon, houses.get(r.household_id.as_str()))
        {
            let km = Haversine.distance(Point::new(lon, lat), Point::new(hlon, hlat)) / 1000.0;
            if km > q.far_place.max_km_from_house {
                flags.push(Flag::of(
                    r,
                    FlagKind::FarPlace,
                    None,
                    format!(
                        "the fix ({lat}, {lon}) is {km:.1} km from the house ({hlat}, {hlon}) in \
                         the register, farther than {} km",
                        q.far_place.max_km_from_house
                    ),
                ));
            }
        }
        if r.enumerator_home_county == r.county_code {
            flags.push(Flag::of(
                r,
                FlagKind::OwnCounty,
                None,
                format!(
                    "enumerator {} comes from county {}, the county of the return",
                    r.enumerator_id, r.enumerator_home_county
                ),
            ));
        }
    }
    let duplicate = duplicates(returns, &mut flags);
    copies(returns, &duplicate, &mut flags);
    (flags, duplicate)
}

/// The returns of a household in time order (start, then return id): the first is the
/// original, every later one a duplicate naming it.
fn duplicates(returns: &[ReturnRow], flags: &mut Vec<Flag>) -> Vec<bool> {
    let mut by_household: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, r) in returns.iter().enumerate() {
        by_household.entry(&r.household_id).or_default().push(i);
    }
    let mut duplicate = vec![false; returns.len()];
    for list in by_household.values_mut().filter(|l| l.len() > 1) {
        list.sort_by(|&a, &b| time_order(&returns[a], &returns[b]));
        let original = &returns[list[0]];
        for &i in &list[1..] {
            duplicate[i] = true;
            flags.push(Flag::of(
                &returns[i],
                FlagKind::Duplicate,
                Some(original),
                format!(
                    "household {} was enumerated before, in return {} ({} earlier)",
                    original.household_id,
                    original.return_id,
                    duration(returns[i].start_unix.abs_diff(original.start_unix))
                ),
            ));
        }
    }
    duplicate
}

/// Originals with the same answers as an earlier original of another household, taken by the
/// same enumerator or in the same village: flagged, naming the latest such earlier return
/// (the one copied from, when a copy is copied again). Duplicates are left out: they repeat
/// their own household's return and are flagged as such.
fn copies(returns: &[ReturnRow], duplicate: &[bool], flags: &mut Vec<Flag>) {
    let mut by_answers: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, r) in returns.iter().enumerate() {
        if let (false, Some(h)) = (duplicate[i], r.answers_sha256.as_deref()) {
            by_answers.entry(h).or_default().push(i);
        }
    }
    for list in by_answers.values_mut().filter(|l| l.len() > 1) {
        list.sort_by(|&a, &b| time_order(&returns[a], &returns[b]));
        for (k, &i) in list.iter().enumerate().skip(1) {
            let r = &returns[i];
            let source = list[..k].iter().rev().map(|&j| &returns[j]).find(|s| {
                s.household_id != r.household_id
                    && (s.enumerator_id == r.enumerator_id || s.village_code == r.village_code)
            });
            if let Some(s) = source {
                let how = if s.enumerator_id == r.enumerator_id {
                    format!("by the same enumerator {}", r.enumerator_id)
                } else {
                    format!("in the same village {}", r.village_code)
                };
                let hash = r.answers_sha256.as_deref().unwrap_or_default();
                flags.push(Flag::of(
                    r,
                    FlagKind::Copied,
                    Some(s),
                    format!(
                        "the answers (hash {}...) are those of return {} of household {}, taken \
                         earlier {how}",
                        hash.get(..12).unwrap_or(hash),
                        s.return_id,
                        s.household_id
                    ),
                ));
            }
        }
    }
}

fn time_order(a: &ReturnRow, b: &ReturnRow) -> std::cmp::Ordering {
    (a.start_unix, &a.return_id).cmp(&(b.start_unix, &b.return_id))
}

/// "3 min 20 s", "45 s", "2 d 3 h 5 min".
fn duration(seconds: u64) -> String {
    let (d, h, m, s) = (
        seconds / 86_400,
        seconds / 3600 % 24,
        seconds / 60 % 60,
        seconds % 60,
    );
    let parts: Vec<String> = [(d, "d"), (h, "h"), (m, "min"), (s, "s")]
        .iter()
        .filter(|(v, _)| *v > 0)
        .map(|(v, u)| format!("{v} {u}"))
        .collect();
    if parts.is_empty() {
        "0 s".to_string()
    } else {
        parts.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A return of household `h` by enumerator `e` in village `v`, starting at minute `t`,
    /// lasting 30 minutes, with answers `a`.
    fn row(id: &str, h: &str, e: &str, v: &str, t: i64, a: &str) -> ReturnRow {
        ReturnRow {
            return_id: id.into(),
            household_id: h.into(),
            province_code: "53".into(),
            county_code: "530128".into(),
            village_code: v.into(),
            enumerator_id: e.into(),
            enumerator_home_county: "530129".into(),
            outcome: "enumerated",
            start_unix: t * 60,
            end_unix: t * 60 + 1800,
            content_sha256: String::new(),
            answers_sha256: Some(a.into()),
            status: Some("exited"),
            members: 3,
            income_ok: Some(true),
            guarantees: Some(true),
            approval_exit: Some(true),
            ..Default::default()
        }
    }

    fn flags(
        returns: &[ReturnRow],
        register: &[RegisterRow],
    ) -> Vec<(String, FlagKind, Option<String>)> {
        let mut f: Vec<_> = return_flags(returns, register, &Quality::builtin())
            .0
            .into_iter()
            .map(|f| (f.return_id, f.kind, f.related_return_id))
            .collect();
        f.sort();
        f
    }

    fn of(id: &str, kind: FlagKind, related: Option<&str>) -> (String, FlagKind, Option<String>) {
        (id.into(), kind, related.map(String::from))
    }

    #[test]
    fn copies_need_another_household_and_the_same_enumerator_or_village() {
        let (v1, v2) = ("530128100001", "530128100002");
        let returns = [
            row("r1", "h1", "E1", v1, 0, "A"),
            // The same enumerator copies r1 (in another village), then copies the copy.
            row("r2", "h2", "E1", v2, 60, "A"),
            row("r3", "h3", "E1", v2, 120, "A"),
            // Another enumerator in r1's village: a copy too.
            row("r4", "h4", "E2", v1, 180, "A"),
            // Neither the same enumerator nor the same village: not flagged.
            row("r5", "h5", "E3", "530128100003", 240, "A"),
            // h1 enumerated again, days later: a duplicate, not a copy (nor copied from).
            row("r6", "h1", "E1", v1, 3 * 1440, "A"),
            // Other answers: nothing.
            row("r7", "h7", "E1", v1, 300, "B"),
        ];
        assert_eq!(
            flags(&returns, &[]),
            vec![
                of("r2", FlagKind::Copied, Some("r1")),
                of("r3", FlagKind::Copied, Some("r2")),
                of("r4", FlagKind::Copied, Some("r1")),
                of("r6", FlagKind::Duplicate, Some("r1")),
            ]
        );
    }

    #[test]
    fn times_places_and_home_counties_by_their_thresholds() {
        let v = "530128100001";
        let mut quick = row("q", "h1", "E1", v, 0, "A");
        quick.end_unix = quick.start_unix + 15 * 60 - 1; // under 15 minutes
        let mut enough = row("e", "h2", "E1", v, 60, "B");
        enough.end_unix = enough.start_unix + 15 * 60; // exactly 15: not flagged
        let mut backwards = row("b", "h3", "E1", v, 120, "C");
        backwards.end_unix = backwards.start_unix - 60;
        // 0.05 degrees of latitude is 5.56 km (haversine, mean radius 6,371,008.8 m):
        // flagged; 0.04 degrees (4.45 km) is not.
        let mut far = row("f", "h4", "E1", v, 180, "D");
        (far.gps_lat, far.gps_lon) = (Some(25.60), Some(102.5));
        let mut near = row("n", "h5", "E1", v, 240, "E");
        (near.gps_lat, near.gps_lon) = (Some(25.59), Some(102.5));
        let mut own = row("o", "h6", "E2", v, 300, "F");
        own.enumerator_home_county = "530128".into();
        let house = |h: &str| RegisterRow {
            household_id: h.into(),
            province_code: "53".into(),
            county_code: "530128".into(),
            township_code: "530128100".into(),
            village_code: v.into(),
            status: "exited",
            members: 3,
            lat: Some(25.55),
            lon: Some(102.5),
        };
        let got = return_flags(
            &[quick, enough, backwards, far, near, own],
            &[house("h4"), house("h5")],
            &Quality::builtin(),
        )
        .0;
        let kinds: Vec<(&str, FlagKind)> =
            got.iter().map(|f| (f.return_id.as_str(), f.kind)).collect();
        assert_eq!(
            kinds,
            vec![
                ("q", FlagKind::ShortInterview),
                ("b", FlagKind::EndBeforeStart),
                ("f", FlagKind::FarPlace),
                ("o", FlagKind::OwnCounty),
            ]
        );
        assert!(
            got[0].evidence.contains("14 min 59 s"),
            "{}",
            got[0].evidence
        );
        assert!(
            got[1].evidence.contains("ends 1 min before"),
            "{}",
            got[1].evidence
        );
        assert!(got[2].evidence.contains("5.6 km"), "{}", got[2].evidence);
    }

    #[test]
    fn durations_read_as_people_write_them() {
        assert_eq!(duration(0), "0 s");
        assert_eq!(duration(150), "2 min 30 s");
        assert_eq!(duration(86_400 + 3600 + 60), "1 d 1 h 1 min");
    }
}
