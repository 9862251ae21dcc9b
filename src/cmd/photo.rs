//! `assess photo add` and `assess photo list`: housing-crack photos in the survey database.
//!
//! The photo is ingested, measured and checked before the database is opened
//! (`assess_app::photos`): a refused file or measurement file writes nothing.

use crate::cmd::store::{block_on, DbArgs};
use assess_app::photos::{self, PhotoAdd, PhotoPlace, PhotoStored};
use assess_photo::{Date, Datum, Evaluation, Located, Measure, Tilt};
use assess_store::Store;
use serde_json::Value;
use std::path::PathBuf;

/// `assess photo ...`
#[derive(clap::Subcommand, Debug)]
pub enum PhotoCmd {
    /// Store a crack photo (once, by SHA-256), link it to a sampled household, and record
    /// its measurements and location flags.
    Add(AddArgs),
    /// List the photos linked to households.
    List(ListArgs),
}

/// `assess photo add`
#[derive(clap::Args, Debug)]
pub struct AddArgs {
    /// The photo (JPEG or PNG).
    photo: PathBuf,
    /// The draw (its id, the sample SHA-256).
    #[arg(long)]
    draw: String,
    /// The household (must be in the draw's sample).
    #[arg(long)]
    household: String,
    /// Measurements marked on the photo (JSON; see docs/photos.md).
    #[arg(long)]
    measurements: Option<PathBuf>,
    /// The household's longitude (WGS-84), for the distance check.
    #[arg(long, requires = "household_lat", allow_negative_numbers = true)]
    household_lon: Option<f64>,
    /// The household's latitude (WGS-84), for the distance check.
    #[arg(long, requires = "household_lon", allow_negative_numbers = true)]
    household_lat: Option<f64>,
    /// County code for the boundary check (default: the household's county in the sample).
    #[arg(long)]
    county: Option<String>,
    /// First day of the assessment (YYYY-MM-DD), for the date check.
    #[arg(long, requires = "to")]
    from: Option<String>,
    /// Last day of the assessment (YYYY-MM-DD), for the date check.
    #[arg(long, requires = "from")]
    to: Option<String>,
    #[command(flatten)]
    db: DbArgs,
}

/// `assess photo list`
#[derive(clap::Args, Debug)]
pub struct ListArgs {
    /// Only this draw; every draw when omitted.
    #[arg(long)]
    draw: Option<String>,
    #[command(flatten)]
    db: DbArgs,
}

fn fmt_m(m: &Measure) -> String {
    format!("{:.2} mm [{:.2}, {:.2}]", m.value, m.low, m.high)
}

fn fmt_tilt(t: &Tilt) -> String {
    format!(
        "tilt {:.2}% [{:.2}, {:.2}] ({:?})",
        t.ratio.value * 100.0,
        t.ratio.low * 100.0,
        t.ratio.high * 100.0,
        t.read_by
    )
}

fn print_evaluation(r: &Evaluation) {
    if let Some(s) = &r.mm_per_px {
        println!("  scale {:.4} mm/px [{:.4}, {:.4}]", s.value, s.low, s.high);
    }
    for (i, c) in r.cracks.iter().enumerate() {
        println!(
            "  crack {}: {:?}, {:?}: width {}, length {}",
            i + 1,
            c.orientation,
            c.component,
            fmt_m(&c.max_width_mm),
            fmt_m(&c.length_mm)
        );
    }
    for t in &r.tilt {
        println!("  {}", fmt_tilt(t));
    }
    for f in &r.grade.findings {
        println!("  {:?}: {:?}: {}", f.rule, f.indication, f.explanation);
    }
    for i in &r.unmatched_cracks {
        println!("  crack {}: no quantitative danger point applies", i + 1);
    }
    println!(
        "  computed: {}; inspector's grade: {}",
        r.grade
            .computed
            .map_or("no rule applied".to_string(), |c| format!("{c:?}")),
        r.grade
            .inspector
            .map_or("not recorded".to_string(), |g| format!("{g:?}")
                .to_lowercase())
    );
    for d in &r.disagreements {
        println!("  DISAGREEMENT {:?}: {}", d.kind, d.detail);
    }
}

pub fn run(cmd: PhotoCmd) -> anyhow::Result<()> {
    match cmd {
        PhotoCmd::Add(a) => run_add(a),
        PhotoCmd::List(a) => run_list(a),
    }
}

fn run_add(args: AddArgs) -> anyhow::Result<()> {
    // Everything that can be refused without the database is checked first.
    let photo = PhotoAdd::read(&args.photo, args.measurements.as_deref())?;
    let date = |flag: &str, text: &str| {
        text.parse::<Date>()
            .map_err(|e| anyhow::anyhow!("--{flag} {e}"))
    };
    let dates = match (&args.from, &args.to) {
        (Some(f), Some(t)) => Some((date("from", f)?, date("to", t)?)),
        _ => None,
    };
    let place = PhotoPlace {
        household: match (args.household_lon, args.household_lat) {
            (Some(lon), Some(lat)) => Some(Located {
                lon,
                lat,
                datum: Datum::Wgs84,
            }),
            _ => None,
        },
        county: args.county.clone(),
        dates,
    };
    let stored = block_on(async {
        let store = Store::open(&args.db.db).await?;
        let result = photos::add(&store, &photo, &args.draw, &args.household, &place).await;
        store.close().await;
        anyhow::Ok(result?)
    })??;
    print_added(&args, &photo, &stored);
    Ok(())
}

fn print_added(args: &AddArgs, photo: &PhotoAdd, stored: &PhotoStored) {
    let (p, done) = (&photo.photo, &stored.done);
    println!(
        "{}: photo {} ({} x {}, {} bytes) {}; {}",
        args.photo.display(),
        p.sha256,
        p.width,
        p.height,
        photo.content.len(),
        if done.stored {
            "stored"
        } else {
            "already stored"
        },
        if done.linked {
            format!("linked to household {}", args.household)
        } else if done.replaced {
            format!(
                "already linked to household {}; measurements replaced",
                args.household
            )
        } else {
            format!("already linked to household {}", args.household)
        }
    );
    match &p.taken_at {
        Some(t) => println!(
            "  taken {:04}-{:02}-{:02} {:02}:{:02}:{:02}",
            t.year, t.month, t.day, t.hour, t.minute, t.second
        ),
        None => println!("  no EXIF time"),
    }
    match &p.gps {
        Some(g) => println!("  GPS {:.6}, {:.6} (WGS-84)", g.lon, g.lat),
        None => println!("  no EXIF GPS"),
    }
    if let Some(m) = &photo.measured {
        print_evaluation(&m.evaluation);
    }
    for n in &stored.notes {
        println!("  note: {n}");
    }
    if stored.flags.is_empty() {
        println!("  flags: none");
    }
    for f in &stored.flags {
        println!("  FLAG {f}");
    }
}

fn run_list(args: ListArgs) -> anyhow::Result<()> {
    block_on(async {
        let store = Store::open(&args.db.db).await?;
        let rows = store.photo_links(args.draw.as_deref()).await;
        let count = store.photo_count().await;
        store.close().await;
        let (rows, count) = (rows?, count?);
        for r in &rows {
            println!(
                "{}  {}  {}  {} bytes  {}  {}  flags {}",
                &r.draw_id[..r.draw_id.len().min(16)],
                r.household_id,
                r.photo_sha256,
                r.byte_count,
                r.taken_at.as_deref().unwrap_or("-"),
                r.results_json
                    .as_deref()
                    .map_or("not measured".to_string(), listed_results),
                r.flags_json
            );
        }
        println!(
            "{count} photo{} stored, {} link{}",
            if count == 1 { "" } else { "s" },
            rows.len(),
            if rows.len() == 1 { "" } else { "s" }
        );
        Ok(())
    })?
}

/// The stored results in one line of `assess photo list`: the computed indication beside the
/// inspector's grade, and each tilt reading. Results stored by an older version may lack
/// fields; what is missing is left out.
fn listed_results(json: &str) -> String {
    let Ok(v) = serde_json::from_str::<Value>(json) else {
        return "measured (results unreadable)".into();
    };
    let text = |p: &str| {
        v.pointer(p)
            .and_then(Value::as_str)
            .unwrap_or("-")
            .to_string()
    };
    let mut out = format!(
        "measured: computed {}, inspector {}",
        text("/grade/computed"),
        text("/grade/inspector")
    );
    let tilts = v.get("tilt").cloned().unwrap_or(Value::Null);
    for t in serde_json::from_value::<Vec<Tilt>>(tilts).unwrap_or_default() {
        out.push_str(", ");
        out.push_str(&fmt_tilt(&t));
    }
    out
}
