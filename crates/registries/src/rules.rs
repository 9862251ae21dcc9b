//! The cross-check rules, as data with their sources (`data/census/crosscheck-rules.toml`,
//! built in; a file of the same form replaces it).

use crate::error::CrosscheckError;
use crate::text::fold;
use serde::Deserialize;
use std::fmt;

/// The built-in rules' text.
pub const BUILT_IN_RULES: &str = include_str!("../../../data/census/crosscheck-rules.toml");

/// An external registry a rule reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegistryKind {
    /// Vehicle registrations: owner, value, plate, kind.
    Vehicles,
    /// Real-estate registrations: owner, kind (urban flat, shop, ...), address.
    Property,
    /// Business registrations: legal representatives and shareholders.
    Business,
    /// The public payroll: people paid from public funds, and their employer.
    Payroll,
}

impl RegistryKind {
    /// All four, in the order outputs list them.
    pub const ALL: [RegistryKind; 4] = [
        RegistryKind::Vehicles,
        RegistryKind::Property,
        RegistryKind::Business,
        RegistryKind::Payroll,
    ];

    /// `vehicles`, `property`, `business` or `payroll`.
    pub fn as_str(self) -> &'static str {
        match self {
            RegistryKind::Vehicles => "vehicles",
            RegistryKind::Property => "property",
            RegistryKind::Business => "business",
            RegistryKind::Payroll => "payroll",
        }
    }

    /// The registry's name in Chinese.
    pub fn label_zh(self) -> &'static str {
        match self {
            RegistryKind::Vehicles => "车辆登记",
            RegistryKind::Property => "不动产登记",
            RegistryKind::Business => "市场主体登记",
            RegistryKind::Payroll => "财政供养人员",
        }
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for RegistryKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a rule's source is a published document or local practice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Basis {
    /// The kind of case is found in a published text (cited in the source).
    #[serde(rename = "document")]
    Document,
    /// A threshold or wording of local rules, weakly sourced: a setting.
    #[serde(rename = "local practice")]
    LocalPractice,
}

impl Basis {
    /// `document` or `local practice`.
    pub fn as_str(self) -> &'static str {
        match self {
            Basis::Document => "document",
            Basis::LocalPractice => "local practice",
        }
    }
}

/// One rule: which registry, what in its row hits, and where the rule comes from.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Short name, written in every flagged row (`vehicle`, `public_payroll`, ...).
    pub id: String,
    /// The registry it reads.
    pub registry: RegistryKind,
    /// What a hit means, in English.
    pub label_en: String,
    /// What a hit means, in Chinese.
    pub label_zh: String,
    /// Vehicles: a value strictly over this many yuan hits.
    #[serde(default)]
    pub value_over_yuan: Option<f64>,
    /// Vehicles: these kinds never hit.
    #[serde(default)]
    pub kinds_excluded: Vec<String>,
    /// Property: these kinds hit.
    #[serde(default)]
    pub kinds: Vec<String>,
    /// Business: these roles hit.
    #[serde(default)]
    pub roles: Vec<String>,
    /// Document or local practice.
    pub basis: Basis,
    /// Where the rule comes from.
    pub source: String,
}

/// The rules, checked.
#[derive(Debug, Clone)]
pub struct Rules {
    rules: Vec<Rule>,
    /// Folded lists, per rule: kinds_excluded, kinds, roles.
    folded: Vec<[Vec<String>; 3]>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    rule: Vec<Rule>,
}

impl Rules {
    /// The built-in rules.
    pub fn built_in() -> Rules {
        Rules::parse(BUILT_IN_RULES, "built-in").expect("the built-in rules are valid")
    }

    /// Rules from a TOML text; `origin` names it in messages.
    pub fn parse(text: &str, origin: &str) -> Result<Rules, CrosscheckError> {
        let fail = |problem: String| CrosscheckError::Rules {
            origin: origin.to_string(),
            problem,
        };
        let file: RulesFile = toml::from_str(text).map_err(|e| fail(e.to_string()))?;
        let mut ids = std::collections::BTreeSet::new();
        for r in &file.rule {
            let bad = |what: &str| fail(format!("rule {:?}: {what}", r.id));
            if r.id.trim().is_empty() || !ids.insert(r.id.clone()) {
                return Err(fail(format!("rule id {:?} is empty or given twice", r.id)));
            }
            if r.source.trim().is_empty() {
                return Err(bad("has no source: say where the rule comes from"));
            }
            let vehicles = r.registry == RegistryKind::Vehicles;
            if vehicles != r.value_over_yuan.is_some() {
                return Err(bad(
                    "value_over_yuan is given exactly for the rules on vehicles",
                ));
            }
            if let Some(v) = r.value_over_yuan {
                if !(v.is_finite() && v >= 0.0) {
                    return Err(bad("value_over_yuan is a number of yuan, 0 or more"));
                }
            }
            if !vehicles && !r.kinds_excluded.is_empty() {
                return Err(bad("kinds_excluded is for the rules on vehicles"));
            }
            if (r.registry == RegistryKind::Property) == r.kinds.is_empty() {
                return Err(bad(
                    "kinds (a non-empty list) is given exactly for the rules on property",
                ));
            }
            if (r.registry == RegistryKind::Business) == r.roles.is_empty() {
                return Err(bad("roles (a non-empty list) is given exactly for the rules on business registrations"));
            }
        }
        if file.rule.len() > usize::from(u16::MAX) {
            return Err(fail("too many rules".into()));
        }
        let folded = file
            .rule
            .iter()
            .map(|r| {
                let f = |v: &[String]| v.iter().map(|s| fold(s)).collect::<Vec<_>>();
                [f(&r.kinds_excluded), f(&r.kinds), f(&r.roles)]
            })
            .collect();
        Ok(Rules {
            rules: file.rule,
            folded,
        })
    }

    /// The rules in file order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The positions of the rules that a registry row hits. `value` is a vehicle's value,
    /// `kind` the folded kind or role; rules of other registries never hit.
    pub(crate) fn hits<'a>(
        &'a self,
        registry: RegistryKind,
        value: Option<f64>,
        kind: &'a str,
    ) -> impl Iterator<Item = u16> + 'a {
        self.rules
            .iter()
            .zip(&self.folded)
            .enumerate()
            .filter(move |(_, (r, [excluded, kinds, roles]))| {
                r.registry == registry
                    && match registry {
                        RegistryKind::Vehicles => {
                            value.zip(r.value_over_yuan).is_some_and(|(v, t)| v > t)
                                && !excluded.iter().any(|k| k == kind)
                        }
                        RegistryKind::Property => kinds.iter().any(|k| k == kind),
                        RegistryKind::Business => roles.iter().any(|k| k == kind),
                        RegistryKind::Payroll => true,
                    }
            })
            .map(|(i, _)| i as u16)
    }

    /// Whether some rule reads `registry` (a registry no rule reads need not be given).
    pub fn reads(&self, registry: RegistryKind) -> bool {
        self.rules.iter().any(|r| r.registry == registry)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_rules_cover_the_mashan_cases_with_sources() {
        let rules = Rules::built_in();
        for kind in RegistryKind::ALL {
            assert!(rules.reads(kind), "{kind}");
        }
        for r in rules.rules() {
            assert!(r.source.contains("docs/sources.md#"), "{}", r.id);
        }
        let hits = |reg, value, kind: &str| rules.hits(reg, value, &fold(kind)).count();
        assert_eq!(hits(RegistryKind::Vehicles, Some(30_000.5), "car"), 1);
        assert_eq!(hits(RegistryKind::Vehicles, Some(30_000.0), "car"), 0);
        assert_eq!(hits(RegistryKind::Vehicles, Some(90_000.0), "Tractor"), 0);
        assert_eq!(hits(RegistryKind::Vehicles, None, "car"), 0);
        assert_eq!(hits(RegistryKind::Property, None, "Urban  flat"), 1);
        assert_eq!(hits(RegistryKind::Property, None, "商铺"), 1);
        assert_eq!(hits(RegistryKind::Property, None, "rural house"), 0);
        assert_eq!(hits(RegistryKind::Business, None, "股东"), 1);
        assert_eq!(hits(RegistryKind::Business, None, "supervisor"), 0);
        assert_eq!(
            hits(RegistryKind::Payroll, None, "county finance bureau"),
            1
        );
    }

    /// The vehicle value is the standards' identification value too: the visit record's
    /// flag and the registry's cross-check must not drift apart.
    #[test]
    fn the_vehicle_value_is_the_standards_value() {
        let standards = assess_standards::Standards::builtin();
        let rules = Rules::built_in();
        let vehicle = rules.rules().iter().find(|r| r.id == "vehicle").unwrap();
        assert_eq!(
            vehicle.value_over_yuan,
            Some(standards.household.identification.vehicle_value_yuan_over)
        );
    }

    #[test]
    fn bad_rules_are_refused_with_the_reason() {
        let base = "[[rule]]\nid = \"p\"\nregistry = \"payroll\"\nlabel_en = \"x\"\nlabel_zh = \"x\"\nbasis = \"document\"\n";
        assert!(Rules::parse(&format!("{base}source = \"s\"\n"), "t").is_ok());
        let cases = [
            (format!("{base}source = \" \"\n"), "has no source"),
            (
                format!("{base}source = \"s\"\n{base}source = \"s\"\n"),
                "given twice",
            ),
            (
                base.replace("payroll", "vehicles") + "source = \"s\"\n",
                "value_over_yuan",
            ),
            (
                base.replace("payroll", "property") + "source = \"s\"\n",
                "kinds",
            ),
            (
                base.replace("document", "rumour") + "source = \"s\"\n",
                "unknown variant",
            ),
            (
                format!("{base}source = \"s\"\nthreshold = 1\n"),
                "unknown field",
            ),
        ];
        for (text, want) in cases {
            let e = Rules::parse(&text, "rules.toml").unwrap_err().to_string();
            assert!(e.contains(want) && e.contains("rules.toml"), "{want}: {e}");
        }
    }
}
