//! `assess photo add` and `assess photo list`: housing-crack photos in the survey database.
//!
//! The photos are ingested (on a few threads when there are several), measured and checked
//! before the database is opened, and every household is checked before any photo is stored
//! (`assess_app::photos`): a refused file, measurement file or household writes nothing.

use crate::cmd::store::{block_on, DbArgs};
use assess_app::photos::{self, PhotoAdd, PhotoLink, PhotoPlace, PhotoStored};
use assess_photo::{Date, Evaluation, Located, Measure, Tilt};
use assess_store::Store;
use serde_json::Value;
use std::path::PathBuf;

/// `assess photo ...`
#[derive(clap::Subcommand, Debug)]
pub enum PhotoCmd {
    /// Store crack photos (each once, by SHA-256), link each to a sampled household, and
    /// record their measurements and location flags.
    Add(AddArgs),
    /// List the photos linked to households.
    List(ListArgs),
}

/// `assess photo add`
#[derive(clap::Args, Debug)]
pub struct AddArgs {
    /// The photos (JPEG or PNG), one or more.
    #[arg(required = true)]
    photos: Vec<PathBuf>,
    /// The draw (its id, the sample SHA-256).
    #[arg(long)]
    draw: String,
    /// The household (must be in the draw's sample): once for all the photos, or once per
    /// photo in their order.
    #[arg(long, required = true)]
    household: Vec<String>,
    /// Measurements marked on the photo (JSON; see docs/photos.md): once per photo in their
    /// order, when given.
    #[arg(long)]
    measurements: Vec<PathBuf>,
    /// Threads that decode the photos (default: the machine's cores).
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    jobs: Option<u16>,
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
    let n = args.photos.len();
    let households: Vec<&str> = match args.household.len() {
        1 => vec![args.household[0].as_str(); n],
        k if k == n => args.household.iter().map(String::as_str).collect(),
        k => anyhow::bail!(
            "{n} photos and {k} --household: give --household once for all the photos, or once per photo in their order"
        ),
    };
    let measurements: Vec<Option<PathBuf>> = match args.measurements.len() {
        0 => vec![None; n],
        k if k == n => args.measurements.iter().cloned().map(Some).collect(),
        k => anyhow::bail!(
            "{n} photos and {k} --measurements: give --measurements once per photo in their order (add the photos without measurements in another run)"
        ),
    };
    let one_household = households.iter().all(|h| *h == households[0]);
    if args.household_lon.is_some() && !one_household {
        anyhow::bail!(
            "--household-lon and --household-lat are one household's place: add the photos of other households in another run"
        );
    }
    let date = |flag: &str, text: &str| {
        text.parse::<Date>()
            .map_err(|e| anyhow::anyhow!("--{flag} {e}"))
    };
    let dates = match (&args.from, &args.to) {
        (Some(f), Some(t)) => Some((date("from", f)?, date("to", t)?)),
        _ => None,
    };
    // Everything that can be refused without the database is checked first.
    let files: Vec<(PathBuf, Option<PathBuf>)> =
        args.photos.iter().cloned().zip(measurements).collect();
    let read = photos::read_files(&files, args.jobs.map_or(0, usize::from))?;
    let photos = read.into_iter().collect::<Result<Vec<PhotoAdd>, _>>()?;
    let place = PhotoPlace {
        household: (args.household_lon.zip(args.household_lat))
            .map(|(lon, lat)| Located::wgs84(lon, lat)),
        county: args.county.clone(),
        dates,
    };
    let links: Vec<PhotoLink> = photos
        .iter()
        .zip(&households)
        .map(|(photo, household)| PhotoLink {
            photo,
            draw: &args.draw,
            household,
            place: &place,
        })
        .collect();
    let stored = block_on(async {
        let store = Store::open(&args.db.db).await?;
        let result = photos::add_many(&store, &links).await;
        store.close().await;
        anyhow::Ok(result?)
    })??;
    for ((photo, household), stored) in photos.iter().zip(&households).zip(&stored) {
        print_added(household, photo, stored);
    }
    Ok(())
}

fn print_added(household: &str, photo: &PhotoAdd, stored: &PhotoStored) {
    let (p, done) = (&photo.photo, &stored.done);
    println!(
        "{}: photo {} ({} x {}, {} bytes) {}; {}",
        photo.path.display(),
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
            format!("linked to household {household}")
        } else if done.replaced {
            format!("already linked to household {household}; measurements replaced")
        } else {
            format!("already linked to household {household}")
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
