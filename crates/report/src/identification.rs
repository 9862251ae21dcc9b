//! The identification flags in a table of their own: every flag of every flagged household
//! with its evidence (a vehicle's value against the standards' limit), the village and the
//! members' identity numbers, masked. They enter none of the four rates; the reports say so.

use crate::tables::{t, Cell, Table};
use crate::text::{place, Lang};
use crate::Report;
use assess_verdict::{FlaggedHousehold, IdentificationFlag, MaskedIdentity};

/// One row per flag of each flagged household (a household with two flags has two rows, so
/// that a spreadsheet filter on the flag finds every household with it).
pub(crate) fn table(r: &Report, lang: Lang) -> Table {
    let w = lang.words();
    let mut table = Table::new(
        w.identification_flags,
        &[
            w.household,
            w.register_status,
            w.village,
            w.flag,
            w.vehicle_value,
            w.vehicle_limit,
            w.identity_numbers,
        ],
    );
    for h in &r.file.verdict.identification_flags {
        for flag in &h.flags {
            table.rows.push(row(r, lang, h, flag));
        }
    }
    table
}

fn row(r: &Report, lang: Lang, h: &FlaggedHousehold, flag: &IdentificationFlag) -> Vec<Cell> {
    let w = lang.words();
    let (value, limit) = match flag {
        IdentificationFlag::Vehicle {
            value_yuan,
            limit_yuan,
        } => (
            value_yuan.map_or(t(w.not_recorded), |v| Cell::Num(v, 0)),
            Cell::Num(*limit_yuan, 0),
        ),
        _ => (Cell::Empty, Cell::Empty),
    };
    vec![
        Cell::Code(h.household_id.clone()),
        t(crate::text::status(lang, &h.stratum)),
        t(place(&h.village, r.names)),
        t(flag_name(lang, flag)),
        value,
        limit,
        identities(lang, &h.identity_numbers),
    ]
}

/// A flag in words.
pub(crate) fn flag_name(lang: Lang, flag: &IdentificationFlag) -> &'static str {
    use IdentificationFlag::*;
    match (lang, flag) {
        (Lang::En, Vehicle { .. }) => "owns a vehicle (not a farm vehicle or motorcycle)",
        (Lang::En, UrbanFlatOrShop) => "owns a flat or shop in a town or city",
        (Lang::En, RegisteredCompany) => "a member runs a registered company",
        (Lang::En, PublicPayroll) => "a member or close relative is on the public payroll",
        (Lang::En, VillageCadre) => "a member is a village cadre",
        (Lang::Zh, Vehicle { .. }) => "拥有车辆（农用车、摩托车除外）",
        (Lang::Zh, UrbanFlatOrShop) => "在城镇拥有住房或商铺",
        (Lang::Zh, RegisteredCompany) => "家庭成员开办注册公司",
        (Lang::Zh, PublicPayroll) => "家庭成员或近亲属为财政供养人员",
        (Lang::Zh, VillageCadre) => "家庭成员为村干部",
    }
}

/// "member 1: 110***********002X; member 2: ..." (already masked by the inspection crate), as
/// code: the masking stars show as typed (Markdown would otherwise escape every one).
fn identities(lang: Lang, ids: &[MaskedIdentity]) -> Cell {
    if ids.is_empty() {
        return Cell::Empty;
    }
    let shown: Vec<String> = ids
        .iter()
        .map(|m| match lang {
            Lang::En => format!("member {}: {}", m.member, m.id_number),
            Lang::Zh => format!("成员 {}：{}", m.member, m.id_number),
        })
        .collect();
    Cell::Code(shown.join(if lang == Lang::Zh { "；" } else { "; " }))
}
