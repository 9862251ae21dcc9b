//! `assess census template` and the synthetic census's new facts from the command line: a
//! census made by `assess synth` (with dissolved, moved-out and unregistered households)
//! goes into a census workbook and reads back to the same returns.

use crate::util::assess;
use assess_forms::census::{read_census, write_census_filled};
use assess_forms::ListLanguage;
use calamine::{Data, Reader, Xlsx};
use std::io::Cursor;

#[test]
fn the_census_template_has_chinese_headers_and_a_synthetic_census_reads_back_from_a_workbook() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("returns.xlsx");
    assess()
        .args(["census", "template", "--lang", "zh", "--out"])
        .arg(&out)
        .assert()
        .success();
    let bytes = std::fs::read(&out).unwrap();
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(&bytes[..])).unwrap();
    let returns = book.worksheet_range("returns").unwrap();
    assert_eq!(returns.get((0, 6)), Some(&Data::String("普查结果".into())));
    assert!(book.worksheet_range("assistance").is_ok());
    assert!(read_census("returns.xlsx", &bytes).unwrap().is_empty());

    let p = |name: &str| dir.path().join(name);
    let output = assess()
        .args([
            "synth",
            "--county",
            "530128",
            "--households",
            "2000",
            "--seed",
            "5",
        ])
        .arg("--out")
        .arg(p("register.csv"))
        .arg("--census-out")
        .arg(p("returns.jsonl"))
        .arg("--census-truth")
        .arg(p("census-truth.csv"))
        .arg("--census-registries")
        .arg(p("registries"))
        .args([
            "--census-dissolved-rate",
            "0.05",
            "--census-moved-rate",
            "0.05",
            "--census-unregistered-rate",
            "0.05",
        ])
        .output()
        .unwrap();
    assert!(output.status.success());
    let stdout = String::from_utf8(output.stdout).unwrap();
    let truth = std::fs::read_to_string(p("census-truth.csv")).unwrap();
    for fault in ["dissolved", "moved_out", "not_registered"] {
        let n = truth
            .lines()
            .filter(|l| l.starts_with(&format!("{fault},")))
            .count();
        assert!(n > 0, "{fault}");
        let said = format!("{n} {}", fault.replace('_', " "));
        assert!(stdout.contains(&said), "{said} in {stdout}");
    }
    let jsonl = std::fs::read(p("returns.jsonl")).unwrap();
    let returns: Vec<_> = assess_census::JsonLinesReader::new("returns.jsonl", &jsonl[..])
        .map(|r| r.unwrap().census_return)
        .collect();
    let workbook = write_census_filled(&returns, ListLanguage::Chinese).unwrap();
    let read: Vec<_> = read_census("returns.xlsx", &workbook)
        .unwrap()
        .into_iter()
        .map(|r| r.unwrap().census_return)
        .collect();
    assert_eq!(read, returns);

    // The census ingest takes the workbook: the store holds what the JSON Lines give.
    std::fs::write(p("filled.xlsx"), &workbook).unwrap();
    for (store, file) in [
        ("from-xlsx", "filled.xlsx"),
        ("from-jsonl", "returns.jsonl"),
    ] {
        assess()
            .args(["census", "ingest", "--store"])
            .arg(p(store))
            .arg(p(file))
            .assert()
            .success();
    }
    let (a, b) = (
        assess_census_store::Dataset::open(p("from-xlsx")).unwrap(),
        assess_census_store::Dataset::open(p("from-jsonl")).unwrap(),
    );
    assert_eq!(a.counties(), b.counties());
    for county in a.counties() {
        let hashes = |d: &assess_census_store::Dataset| {
            let mut h: Vec<_> = d
                .returns(&county)
                .unwrap()
                .into_iter()
                .map(|r| (r.return_id, r.content_sha256))
                .collect();
            h.sort();
            h
        };
        assert_eq!(hashes(&a), hashes(&b), "county {county}");
    }
}
