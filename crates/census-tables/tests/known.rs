//! Coverage and tables on a hand-built census where every count is known (written out by
//! hand below), quantiles against NumPy, and the renderings read back.

use assess_census::{RegisterRow, ReturnRow};
use assess_census_tables::{
    county_coverage, coverage_csv, missing_csv, missing_xlsx, summary_html, tables_xlsx,
    CensusTables, Coverage, Tables, TablesError, TABLE_SHEETS,
};
use assess_report::Lang;
use calamine::{Data, Reader, Xlsx};
use std::collections::BTreeMap;
use std::io::Cursor;

fn reg(id: &str, village: &str, status: &'static str, members: u32) -> RegisterRow {
    RegisterRow {
        household_id: id.to_string(),
        province_code: village[..2].to_string(),
        county_code: village[..6].to_string(),
        township_code: village[..9].to_string(),
        village_code: village.to_string(),
        status,
        members,
        lat: None,
        lon: None,
    }
}

/// A return with nothing known but its ids, outcome and start.
fn ret(id: &str, household: &str, village: &str, outcome: &'static str, start: i64) -> ReturnRow {
    ReturnRow {
        return_id: id.to_string(),
        household_id: household.to_string(),
        province_code: village[..2].to_string(),
        county_code: village[..6].to_string(),
        village_code: village.to_string(),
        enumerator_id: "E1".to_string(),
        enumerator_home_county: "530129".to_string(),
        outcome,
        start_unix: start,
        end_unix: start + 1800,
        content_sha256: String::new(),
        ..Default::default()
    }
}

/// An enumerated return meeting everything, with this income per person.
fn good(id: &str, household: &str, village: &str, start: i64, income: f64) -> ReturnRow {
    let mut r = ret(id, household, village, "enumerated", start);
    r.income_per_person = Some(income);
    for v in [
        &mut r.income_ok,
        &mut r.food_clothing,
        &mut r.education,
        &mut r.medical,
        &mut r.housing,
        &mut r.water,
        &mut r.guarantees,
    ] {
        *v = Some(true);
    }
    r
}

const V1: &str = "530128101001";
const V2: &str = "530128101002";
const V3: &str = "530128102001";

/// County 530128, every case once (see the counts in the test below).
fn luquan() -> (Vec<RegisterRow>, Vec<ReturnRow>) {
    let register = vec![
        reg("H1", V1, "exited", 3),
        reg("H2", V1, "poor", 2),
        reg("H3", V1, "exited", 4),
        reg("H4", V2, "exited", 1),
        reg("H5", V2, "poor", 5),
        reg("H6", V3, "exited", 2),
        reg("H7", V3, "non_registered", 3),
        reg("H9", V3, "poor", 3),
    ];
    let mut r1 = good("R1", "H1", V1, 100, 5000.0);
    r1.industrial_support_yuan = Some(1500.0);
    r1.employment_support = Some(true);
    r1.microcredit = Some(true);
    // H2: two returns; the earlier (R2a) stands for it.
    let mut r2a = ret("R2a", "H2", V1, "enumerated", 200);
    r2a.income_per_person = Some(3000.0);
    r2a.income_ok = Some(false);
    r2a.food_clothing = Some(true);
    r2a.medical = Some(true);
    r2a.housing = Some(false);
    r2a.water = Some(true);
    r2a.guarantees = Some(false);
    r2a.industrial_support_yuan = Some(0.0);
    r2a.employment_support = Some(false);
    let mut r2b = good("R2b", "H2", V1, 900, 99999.0);
    r2b.industrial_support_yuan = Some(77777.0);
    // H9: a dissolved return, then an enumerated one.
    let r9a = ret("R9a", "H9", V3, "dissolved", 300);
    let mut r9b = ret("R9b", "H9", V3, "enumerated", 400);
    r9b.food_clothing = Some(true);
    r9b.education = Some(true);
    r9b.medical = Some(true);
    r9b.housing = Some(true);
    r9b.industrial_support_yuan = Some(2500.0);
    r9b.minimum_living_allowance_yuan = Some(3000.0);
    let returns = vec![
        r1,
        r2b,
        r2a,
        ret("R4", "H4", V2, "dissolved", 500),
        ret("R5", "H5", V2, "moved_out", 600),
        good("R7", "H7", V3, 700, 8000.0),
        good("R8a", "X8", V3, 800, 8000.0),
        good("R8b", "X8", V3, 810, 8000.0),
        r9a,
        r9b,
    ];
    (register, returns)
}

fn cov(v: [u64; 9]) -> Coverage {
    Coverage {
        registered: v[0],
        enumerated: v[1],
        dissolved: v[2],
        moved_out: v[3],
        missing: v[4],
        duplicated: v[5],
        extra_returns: v[6],
        not_registered: v[7],
        returns: v[8],
    }
}

#[test]
fn coverage_of_a_hand_built_county() {
    let (register, returns) = luquan();
    let c = county_coverage("530128", &register, &returns).unwrap();
    //                  reg enum diss moved miss dup extra notreg returns
    let v1 = cov([3, 2, 0, 0, 1, 1, 1, 0, 3]);
    let v2 = cov([2, 0, 1, 1, 0, 0, 0, 0, 2]);
    let v3 = cov([2, 1, 0, 0, 1, 2, 2, 2, 5]);
    assert_eq!(c.villages[V1], v1);
    assert_eq!(c.villages[V2], v2);
    assert_eq!(c.villages[V3], v3);
    assert_eq!(c.villages.len(), 3);
    assert_eq!(c.townships["530128101"], cov([5, 2, 1, 1, 1, 1, 1, 0, 5]));
    assert_eq!(c.townships["530128102"], v3);
    assert_eq!(c.total, cov([7, 3, 1, 1, 2, 3, 3, 2, 10]));
    assert_eq!(c.total.coverage_rate(), Some(5.0 / 7.0));
    let missing: Vec<_> = c
        .missing
        .iter()
        .map(|m| {
            (
                m.household_id.as_str(),
                m.village_code.as_str(),
                m.township_code.as_str(),
                m.status,
                m.members,
            )
        })
        .collect();
    assert_eq!(
        missing,
        [
            ("H3", V1, "530128101", "exited", 4),
            ("H6", V3, "530128102", "exited", 2)
        ]
    );
}

/// The register and returns of three counties in two provinces: 530128 above, 530129 and
/// 522701.
fn three_county_inputs() -> Vec<(&'static str, Vec<RegisterRow>, Vec<ReturnRow>)> {
    let (register, returns) = luquan();
    let w = "530129101001";
    let g = "522701001001";
    vec![
        ("530128", register, returns),
        (
            "530129",
            vec![
                reg("H10", w, "exited", 1),
                reg("H11", w, "exited", 2),
                reg("H12", w, "poor", 3),
            ],
            vec![
                good("S10", "H10", w, 1, 1000.0),
                good("S11", "H11", w, 2, 7000.0),
                good("S12", "H12", w, 3, 2000.0),
            ],
        ),
        (
            "522701",
            vec![reg("H20", g, "exited", 2), reg("H21", g, "exited", 2)],
            vec![good("G20", "H20", g, 1, 4000.0)],
        ),
    ]
}

/// The quality counts given to the three counties.
fn three_county_quality(county: &str) -> Vec<(String, u64)> {
    match county {
        "530128" => vec![("short_interview".to_string(), 4)],
        "530129" => vec![
            ("short_interview".to_string(), 1),
            ("far_place".to_string(), 2),
        ],
        _ => vec![],
    }
}

/// The three counties added one after the other.
fn three_counties() -> Tables {
    let mut t = CensusTables::new();
    for (code, register, returns) in three_county_inputs() {
        t.add_county(code, &register, &returns).unwrap();
    }
    for (code, ..) in three_county_inputs() {
        t.add_quality(code, three_county_quality(code)).unwrap();
    }
    t.finish()
}

/// Counties counted apart (as on several threads) and inserted in any order give the same
/// tables as counties added one after the other.
#[test]
fn counties_counted_apart_and_inserted_in_any_order_give_the_same_tables() {
    let mut counted: Vec<_> = three_county_inputs()
        .into_iter()
        .map(|(code, register, returns)| {
            let (coverage, mut county) = CensusTables::count(code, &register, &returns).unwrap();
            county.add_quality(three_county_quality(code));
            (coverage, county)
        })
        .collect();
    counted.reverse();
    let mut t = CensusTables::new();
    for (coverage, county) in counted {
        t.insert(county, &coverage).unwrap();
    }
    assert_eq!(t.finish(), three_counties());
    // A county inserted twice is refused.
    let (code, register, returns) = three_county_inputs().remove(2);
    let mut t = CensusTables::new();
    t.add_county(code, &register, &returns).unwrap();
    let (coverage, county) = CensusTables::count(code, &register, &returns).unwrap();
    assert!(matches!(
        t.insert(county, &coverage),
        Err(TablesError::CountyTwice(c)) if c == "522701"
    ));
}

#[test]
fn tables_of_three_counties_merge_upward_exactly() {
    let t = three_counties();
    let codes: Vec<_> = t.counties.iter().map(|u| u.code.as_str()).collect();
    assert_eq!(codes, ["522701", "530128", "530129"]);
    let luquan = &t.counties[1];
    assert_eq!(luquan.name, "禄劝彝族苗族自治县");
    // H1, H2 (by R2a, the earlier) and H9 (by its enumerated return).
    assert_eq!(luquan.households, 3);
    let a = &luquan.attainment;
    let tally = |i: usize| (a[i].met, a[i].unmet, a[i].unknown);
    assert_eq!(tally(0), (1, 1, 1)); // income
    assert_eq!(tally(1), (3, 0, 0)); // food and clothing
    assert_eq!(tally(2), (2, 0, 1)); // education
    assert_eq!(tally(3), (3, 0, 0)); // medical
    assert_eq!(tally(4), (2, 1, 0)); // housing
    assert_eq!(tally(5), (2, 0, 1)); // water
    assert_eq!(tally(6), (1, 1, 1)); // all five
    assert_eq!(a[6].share(), Some(0.5));
    assert_eq!(a[4].share(), Some(2.0 / 3.0));
    let i = &luquan.income;
    assert_eq!((i.known, i.unknown), (2, 1));
    // Type 7 on (3000, 5000): h = p.
    assert_eq!(i.median, Some(4000.0));
    assert_eq!(i.p10, Some(3200.0));
    assert_eq!(i.p90, Some(4800.0));
    assert_eq!(i.mean, Some(4000.0));
    let s = &luquan.assistance;
    // Industrial support: 1500, 0, 2500 (R2b's 77777 is not counted).
    assert_eq!(
        (s[0].receiving, s[0].not_receiving, s[0].unknown),
        (2, 1, 0)
    );
    assert_eq!(s[0].total_yuan(), 4000.0);
    assert_eq!(s[0].mean_yuan(), Some(2000.0));
    assert_eq!(s[0].share(), Some(2.0 / 3.0));
    // Employment support: yes, no, not answered.
    assert_eq!(
        (s[1].receiving, s[1].not_receiving, s[1].unknown),
        (1, 1, 1)
    );
    // Minimum living allowance: only H9, 3000.
    assert_eq!(
        (s[7].receiving, s[7].unknown, s[7].total_fen),
        (1, 2, 300_000)
    );
    // Microcredit: yes once, otherwise not answered.
    assert_eq!(
        (s[9].receiving, s[9].unknown, s[9].share()),
        (1, 2, Some(1.0))
    );

    // Province 53: incomes 3000, 5000 | 1000, 7000, 2000 -> sorted 1000 2000 3000 5000 7000.
    let p53 = &t.provinces[1];
    assert_eq!(p53.code, "53");
    assert_eq!(p53.name, "云南省");
    assert_eq!(p53.coverage, cov([10, 6, 1, 1, 2, 3, 3, 2, 13]));
    assert_eq!(p53.households, 6);
    let i = &p53.income;
    assert_eq!(i.median, Some(3000.0));
    assert_eq!(i.p10, Some(1400.0)); // h = 0.4
    assert_eq!(i.p25, Some(2000.0)); // h = 1
    assert_eq!(i.p75, Some(5000.0)); // h = 3
    assert_eq!(i.p90, Some(6200.0)); // h = 3.6: 5000 + 0.6 * 2000
                                     // The nation adds 4000: 1000 2000 3000 4000 5000 7000 (not a mean of the provinces'
                                     // medians, 3500 by chance, so check the others too).
    let n = &t.national;
    assert_eq!(n.coverage, cov([12, 7, 1, 1, 3, 3, 3, 2, 14]));
    assert_eq!(n.households, 7);
    assert_eq!(n.attainment[6].met, 5);
    let i = &n.income;
    assert_eq!(i.median, Some(3500.0)); // h = 2.5
    assert_eq!(i.p10, Some(1500.0)); // h = 0.5
    assert_eq!(i.p25, Some(2250.0)); // h = 1.25
    assert_eq!(i.p75, Some(4750.0)); // h = 3.75
    assert_eq!(i.p90, Some(6000.0)); // h = 4.5
                                     // Quality counts add up too.
    assert_eq!(t.counties[0].quality, BTreeMap::new());
    assert_eq!(p53.quality["short_interview"], 5);
    assert_eq!(n.quality["far_place"], 2);
    // Every level adds up: the counties' coverage is the nation's.
    let mut sum = Coverage::default();
    for c in &t.counties {
        sum += &c.coverage;
    }
    assert_eq!(sum, n.coverage);
    let mut villages = Coverage::default();
    for v in &t.villages {
        villages += &v.coverage;
    }
    assert_eq!(villages, n.coverage);
    assert_eq!(t.townships.len(), 4);
    assert_eq!(t.villages.len(), 5);
}

/// The test's values: a 64-bit linear congruential generator (Knuth's MMIX constants).
fn values(n: usize) -> Vec<f64> {
    let mut x: u64 = 12345;
    (0..n)
        .map(|_| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((x >> 33) % 100_000) as f64 / 7.0
        })
        .collect()
}

#[test]
fn national_quantiles_equal_numpys_over_all_households_whatever_the_split() {
    // numpy 2.4.6, np.quantile(values(100), p) (default method "linear" = type 7).
    let numpy = [
        1001.4285714285714,
        3019.107142857143,
        6855.642857142857,
        10710.5,
        12997.214285714286,
    ];
    let v = values(100);
    // Five counties of unequal sizes in two provinces.
    let cuts = [0, 37, 40, 71, 72, 100];
    let codes = ["530128", "530129", "530130", "520111", "520112"];
    let mut t = CensusTables::new();
    for (k, code) in codes.iter().enumerate() {
        let village = format!("{code}001001");
        let (lo, hi) = (cuts[k], cuts[k + 1]);
        let register: Vec<_> = (lo..hi)
            .map(|i| reg(&format!("H{i}"), &village, "poor", 1))
            .collect();
        let returns: Vec<_> = (lo..hi)
            .map(|i| good(&format!("R{i}"), &format!("H{i}"), &village, 0, v[i]))
            .collect();
        t.add_county(code, &register, &returns).unwrap();
    }
    let t = t.finish();
    let i = &t.national.income;
    let got = [i.p10, i.p25, i.median, i.p75, i.p90].map(Option::unwrap);
    for (g, e) in got.iter().zip(numpy) {
        assert!((g - e).abs() <= 1e-9 * e, "{got:?} vs {numpy:?}");
    }
    // The first county alone: numpy's median of values(100)[:37].
    let first = t.counties.iter().find(|c| c.code == "530128").unwrap();
    assert!((first.income.median.unwrap() - 6781.142857142857).abs() < 1e-9);
    assert_eq!(t.national.income.known, 100);
}

#[test]
fn rows_of_another_county_or_a_county_twice_are_refused() {
    let (register, returns) = luquan();
    let err = county_coverage("530129", &register, &[] as &[ReturnRow]).unwrap_err();
    assert!(
        matches!(err, TablesError::RegisterOfAnotherCounty { .. }),
        "{err}"
    );
    let err = county_coverage(
        "530128",
        &register,
        &[good("X", "H1", "530129101001", 0, 1.0)],
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("return X of county 530129"),
        "{err}"
    );
    let mut twice = register.clone();
    twice.push(reg("H1", V2, "poor", 1));
    let err = county_coverage("530128", &twice, &returns).unwrap_err();
    assert!(err.to_string().contains("household H1 is twice"), "{err}");
    let mut t = CensusTables::new();
    t.add_county("530128", &register, &returns).unwrap();
    let err = t.add_county("530128", &register, &returns).unwrap_err();
    assert!(
        matches!(err, TablesError::CountyTwice(ref c) if c == "530128"),
        "{err}"
    );
}

#[test]
fn the_follow_up_list_as_csv_and_xlsx() {
    let (register, returns) = luquan();
    let c = county_coverage("530128", &register, &returns).unwrap();
    let csv = String::from_utf8(missing_csv(Vec::new(), &c.missing).unwrap()).unwrap();
    assert_eq!(
        csv,
        "household_id,village_code,township_code,status,members\n\
         H3,530128101001,530128101,exited,4\n\
         H6,530128102001,530128102,exited,2\n"
    );
    let bytes = missing_xlsx("530128", &c.missing).unwrap();
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
    assert_eq!(wb.sheet_names(), ["未普查 Missing"]);
    let range = wb.worksheet_range("未普查 Missing").unwrap();
    let rows: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(
        rows[0],
        ["户编号", "村代码", "乡镇代码", "户状态", "人口数"]
    );
    assert_eq!(
        rows[1],
        [
            "household_id",
            "village_code",
            "township_code",
            "status",
            "members"
        ]
    );
    assert_eq!(rows[2], ["H3", V1, "530128101", "已脱贫 exited", "4"]);
    assert_eq!(rows[3], ["H6", V3, "530128102", "已脱贫 exited", "2"]);
    assert_eq!(rows.len(), 4);
    assert_eq!(range.get((2, 4)), Some(&Data::Float(4.0)));
}

#[test]
fn the_tables_workbook_reads_back() {
    let t = three_counties();
    let bytes = tables_xlsx(&t).unwrap();
    assert_eq!(
        bytes,
        tables_xlsx(&t).unwrap(),
        "the same tables give the same bytes"
    );
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
    assert_eq!(wb.sheet_names(), TABLE_SHEETS);
    let col = |range: &calamine::Range<Data>, en: &str| {
        (0..range.width())
            .find(|c| range.get((1, *c)) == Some(&Data::String(en.to_string())))
            .unwrap_or_else(|| panic!("no column {en}"))
    };
    let national = wb.worksheet_range(TABLE_SHEETS[0]).unwrap();
    assert_eq!(national.height(), 3);
    assert_eq!(national.get((0, 0)), Some(&Data::String("代码".into())));
    assert_eq!(national.get((2, 1)), Some(&Data::String("全国".into())));
    let at = |r: &calamine::Range<Data>, row: usize, en: &str| r.get((row, col(r, en))).cloned();
    assert_eq!(at(&national, 2, "Registered"), Some(Data::Float(12.0)));
    assert_eq!(at(&national, 2, "Missing"), Some(Data::Float(3.0)));
    assert_eq!(at(&national, 2, "Coverage"), Some(Data::Float(9.0 / 12.0)));
    assert_eq!(
        at(&national, 2, "Income per person: median (yuan)"),
        Some(Data::Float(3500.0))
    );
    assert_eq!(
        at(&national, 2, "All five guarantees: share met"),
        Some(Data::Float(5.0 / 6.0))
    );
    assert_eq!(
        at(&national, 2, "Quality: short_interview"),
        Some(Data::Float(5.0))
    );
    assert_eq!(
        at(&national, 2, "Quality: far_place"),
        Some(Data::Float(2.0))
    );
    let counties = wb.worksheet_range(TABLE_SHEETS[2]).unwrap();
    assert_eq!(counties.height(), 5);
    assert_eq!(counties.get((3, 0)), Some(&Data::String("530128".into())));
    assert_eq!(
        at(&counties, 3, "Quality: short_interview"),
        Some(Data::Float(4.0))
    );
    assert_eq!(
        at(&counties, 3, "Industrial support: total (yuan)"),
        Some(Data::Float(4000.0))
    );
    assert_eq!(
        at(&counties, 3, "Duplicated households"),
        Some(Data::Float(3.0))
    );
    let villages = wb.worksheet_range(TABLE_SHEETS[4]).unwrap();
    assert_eq!(villages.height(), 2 + 5);
    // 522701001001, then V1, V2, V3 (row 5), 530129101001.
    assert_eq!(villages.get((5, 0)), Some(&Data::String(V3.into())));
    assert_eq!(at(&villages, 5, "Not registered"), Some(Data::Float(2.0)));
    let defs = wb.worksheet_range(TABLE_SHEETS[5]).unwrap();
    assert!(defs.rows().any(
        |r| r[0] == Data::String("income_median".into()) && r[3].to_string().contains("type 7")
    ));
}

#[test]
fn the_summary_has_every_county_on_the_maps_and_in_the_tables() {
    let t = three_counties();
    let poverty = assess_photo::Boundaries::poverty_shared().unwrap();
    let mut shapes = BTreeMap::new();
    for c in &t.counties {
        if let Ok(b) = poverty.county(&c.code) {
            shapes.insert(c.code.clone(), &b.shape);
        }
    }
    // 522701 (Duyun) is not a poverty county: listed, not drawn.
    assert_eq!(shapes.len(), 2);
    for lang in [Lang::En, Lang::Zh] {
        let html = summary_html(&t, &shapes, lang);
        assert!(html.starts_with("<!DOCTYPE html>") && html.ends_with("</html>\n"));
        for c in &t.counties {
            assert!(
                html.contains(&format!(r#"<tr data-code="{}">"#, c.code)),
                "{}",
                c.code
            );
        }
        for code in ["530128", "530129"] {
            // Once on each map.
            assert_eq!(
                html.matches(&format!(r#"data-county="{code}""#)).count(),
                2,
                "{code}"
            );
        }
        // 530128: coverage 5/7 (under 95%), all five 1/2 (under 90%); 530129: both 100%.
        assert!(html.contains(r#"data-county="530128" data-coverage="0.714286""#));
        assert!(html.contains(r#"data-county="530128" data-attainment="0.500000""#));
        assert!(html.contains(r#"<path class="county coverage-4" data-county="530128""#));
        assert!(html.contains(r#"<path class="county attainment-0" data-county="530129""#));
        assert_eq!(
            html.matches("1 counties without").count() + html.matches("1 个县没有").count(),
            2
        );
        assert!(html.contains(r#"<tr data-code="">"#), "the national row");
    }
}

#[test]
fn coverage_at_every_level_as_csv() {
    let t = three_counties();
    let text = String::from_utf8(coverage_csv(Vec::new(), &t).unwrap()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "level,code,name,registered,enumerated,dissolved,moved_out,missing,coverage_rate,\
         duplicated,extra_returns,not_registered,returns"
    );
    assert_eq!(lines[1], "national,,全国,12,7,1,1,3,0.75,3,3,2,14");
    assert_eq!(lines[2], "province,52,贵州省,2,1,0,0,1,0.5,0,0,0,1");
    assert_eq!(lines[3], "province,53,云南省,10,6,1,1,2,0.8,3,3,2,13");
    assert_eq!(
        lines[5],
        "county,530128,禄劝彝族苗族自治县,7,3,1,1,2,0.7142857142857143,3,3,2,10"
    );
    assert_eq!(lines[8], "township,530128101,,5,2,1,1,1,0.8,1,1,0,5");
    assert_eq!(lines[15], "village,530129101001,,3,3,0,0,0,1,0,0,0,3");
    // 1 + 1 nation + 2 provinces + 3 counties + 4 townships + 5 villages.
    assert_eq!(lines.len(), 16);
}
