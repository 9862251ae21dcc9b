//! `assess verdict`'s summary of each county on the terminal.

use assess_report::Lang;
use assess_verdict::VerdictFile;

/// The verdict on the terminal, in words (and in Chinese with `--lang zh`), never enum names.
pub fn print(f: &VerdictFile, lang: Lang) {
    use assess_report::words;
    let v = &f.verdict;
    println!(
        "county {} {}: {} ({} records, {} appeals)",
        v.county_code,
        v.county_name,
        words::decision(lang, v.decision),
        f.provenance.records,
        f.provenance.appeals
    );
    for (name, i) in &v.indicators {
        println!(
            "  {:<24} {:>7.2}%  (official {:.2}%, design {:.2}%, {:.0}% CI {:.2}-{:.2}%)  threshold {:.0}%  {}  {}",
            words::indicator(lang, name),
            100.0 * i.estimate,
            100.0 * i.official,
            100.0 * i.design,
            100.0 * v.settings.confidence,
            100.0 * i.lci,
            100.0 * i.uci,
            100.0 * i.threshold,
            words::pass_fail(lang, i.passes),
            words::reading(lang, i.reading)
        );
    }
    for r in &v.reasons {
        println!("  - {r}");
    }
    // Leads for the county to re-examine, not findings: the reports list them with evidence.
    let flagged = v.identification_flags.len();
    if flagged > 0 {
        match lang {
            Lang::En => println!(
                "  identification flags: {flagged} household{} (listed in the reports; not in the rates)",
                if flagged == 1 { "" } else { "s" }
            ),
            Lang::Zh => println!("  识别疑点：{flagged} 户（见报告；不计入各项比率）"),
        }
    }
}
