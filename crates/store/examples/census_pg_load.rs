//! The loader of bench/census/pg-load.sh: the same synthetic census returns written as a CSV
//! (for a bare `psql \copy`) or loaded through `assess_store::census` (COPY in batches, each
//! with its checkpoint), timed.
//!
//!     census_pg_load schema URL            the census tables and the rows' provinces
//!     census_pg_load csv N FILE            N returns as CSV, the columns of census_returns
//!     census_pg_load load URL N [BATCH]    the same N returns through the COPY path, BATCH
//!                                          (default 50,000) a transaction; prints "loaded N
//!                                          returns in S s (R returns/s)", S the load alone

use assess_store::census::{CensusDb, ReturnRow};
use std::io::Write;
use std::time::Instant;

/// Counties of four provinces: the rows spread over their partitions.
const COUNTIES: [&str; 8] = [
    "530128", "530129", "450223", "450226", "520122", "520123", "622923", "622924",
];

/// Return number `i`: every column filled, like an enumerated return.
fn row(i: u64) -> ReturnRow {
    let county = COUNTIES[(i % COUNTIES.len() as u64) as usize];
    let seq = i / COUNTIES.len() as u64;
    let v = |k: u64| (i.wrapping_mul(2654435761).wrapping_add(k) % 1000) as f64;
    let b = |k: u64| Some(!i.wrapping_mul(40503).wrapping_add(k).is_multiple_of(7));
    ReturnRow {
        return_id: format!("{county}-{seq:07}"),
        household_id: format!("{county}{:03}{seq:07}", seq % 180),
        province_code: county[..2].to_string(),
        county_code: county.to_string(),
        village_code: format!("{county}{:03}{:03}", 100 + seq % 12, seq % 15),
        enumerator_id: format!("E{county}-{:04}", seq / 140),
        enumerator_home_county: COUNTIES[((i + 1) % COUNTIES.len() as u64) as usize].to_string(),
        outcome: "enumerated",
        start_unix: 1_593_563_400 + (seq as i64) * 3300,
        end_unix: 1_593_563_400 + (seq as i64) * 3300 + 1800,
        gps_lat: Some(25.0 + v(1) / 1000.0),
        gps_lon: Some(102.0 + v(2) / 1000.0),
        content_sha256: format!("{:064x}", u128::from(i).wrapping_mul(0x9e37_79b9_7f4a_7c15)),
        answers_sha256: Some(format!("{:064x}", u128::from(i) * 31)),
        status: Some(if i.is_multiple_of(3) {
            "poor"
        } else {
            "exited"
        }),
        members: (i % 6 + 1) as u32,
        poverty_line: Some(4000.0),
        income_per_person: Some(3000.0 + v(3) * 10.0),
        income_ok: b(1),
        food_clothing: b(2),
        education: b(3),
        medical: b(4),
        housing: b(5),
        water: b(6),
        guarantees: b(7),
        poor: b(8),
        approval_exit: b(9),
        industrial_support_yuan: Some(v(4) * 5.0),
        housing_renovation_yuan: None,
        education_aid_yuan: Some(v(5)),
        medical_aid_yuan: None,
        minimum_living_allowance_yuan: Some(v(6) * 4.0),
        employment_support: b(10),
        public_welfare_post: b(11),
        relocated: None,
        extreme_poverty_support: b(12),
        microcredit: b(13),
    }
}

fn csv_line(out: &mut impl Write, r: &ReturnRow) -> std::io::Result<()> {
    let f = |x: Option<f64>| x.map_or(String::new(), |v| v.to_string());
    let b = |x: Option<bool>| x.map_or("", |v| if v { "t" } else { "f" }).to_string();
    let fields = [
        r.return_id.clone(),
        r.household_id.clone(),
        r.province_code.clone(),
        r.county_code.clone(),
        r.village_code.clone(),
        r.enumerator_id.clone(),
        r.enumerator_home_county.clone(),
        r.outcome.to_string(),
        r.start_unix.to_string(),
        r.end_unix.to_string(),
        f(r.gps_lat),
        f(r.gps_lon),
        r.content_sha256.clone(),
        r.answers_sha256.clone().unwrap_or_default(),
        r.status.unwrap_or("").to_string(),
        r.members.to_string(),
        f(r.poverty_line),
        f(r.income_per_person),
        b(r.income_ok),
        b(r.food_clothing),
        b(r.education),
        b(r.medical),
        b(r.housing),
        b(r.water),
        b(r.guarantees),
        b(r.poor),
        b(r.approval_exit),
        f(r.industrial_support_yuan),
        f(r.housing_renovation_yuan),
        f(r.education_aid_yuan),
        f(r.medical_aid_yuan),
        f(r.minimum_living_allowance_yuan),
        b(r.employment_support),
        b(r.public_welfare_post),
        b(r.relocated),
        b(r.extreme_poverty_support),
        b(r.microcredit),
    ];
    // No generated value holds a comma, quote or newline, and an empty field is NULL in
    // COPY's CSV format: no quoting needed.
    writeln!(out, "{}", fields.join(","))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| {
        args.get(i)
            .cloned()
            .ok_or("usage: see the file's doc comment")
    };
    match arg(0)?.as_str() {
        "schema" => {
            let db = CensusDb::connect(&arg(1)?).await?;
            db.ensure_census_schema().await?;
            for county in COUNTIES {
                db.ensure_province(&county[..2]).await?;
            }
        }
        "csv" => {
            let n: u64 = arg(1)?.parse()?;
            let mut out = std::io::BufWriter::new(std::fs::File::create(arg(2)?)?);
            for i in 0..n {
                csv_line(&mut out, &row(i))?;
            }
            out.flush()?;
        }
        "load" => {
            let db = CensusDb::connect(&arg(1)?).await?;
            let n: u64 = arg(2)?.parse()?;
            let batch_rows: u64 = args.get(3).map_or(Ok(50_000), |b| b.parse())?;
            // Only the load is timed (begin, COPY, checkpoint, commit): the rows are made
            // before each batch, as the psql side reads rows made beforehand.
            let (mut load, mut make) = (0.0, 0.0);
            let mut done = 0;
            while done < n {
                let end = (done + batch_rows).min(n);
                let t = Instant::now();
                let rows: Vec<ReturnRow> = (done..end).map(row).collect();
                make += t.elapsed().as_secs_f64();
                let t = Instant::now();
                let mut batch = db.begin_batch().await?;
                batch.copy_returns(&rows).await?;
                batch.commit("bench", end).await?;
                load += t.elapsed().as_secs_f64();
                done = end;
            }
            println!(
                "loaded {n} returns in {load:.2} s ({:.0} returns/s); rows made in {make:.2} s",
                n as f64 / load.max(1e-9)
            );
        }
        other => return Err(format!("unknown mode {other:?}").into()),
    }
    Ok(())
}
