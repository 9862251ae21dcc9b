//! `assess assignment load|list`: counties assigned to teams (from the CSV `assess assign`
//! writes) and sampled villages to interviewers (from a village split), which the field
//! server's scopes then enforce (docs/server.md, "Accounts, tokens, roles").

use crate::cmd::store::DbArgs;
use anyhow::Context;
use assess_app::accounts::{self, AssignmentFile};
use std::path::{Path, PathBuf};

/// `assess assignment ...`
#[derive(clap::Subcommand, Debug)]
pub enum AssignmentCmd {
    /// Load assignments: counties to teams, villages to interviewers (all or nothing; what is
    /// already assigned stays).
    Load(LoadArgs),
    /// List every assignment.
    List(ListArgs),
}

/// `assess assignment load`
#[derive(clap::Args, Debug)]
#[command(group(clap::ArgGroup::new("files").required(true).multiple(true).args(["counties", "villages"])))]
pub struct LoadArgs {
    /// Counties to teams: the CSV `assess assign` writes (columns county, team,
    /// team_province are read).
    #[arg(long)]
    counties: Option<PathBuf>,
    /// Villages to interviewers: a village split with columns draw_id, county_code,
    /// village_code, interviewers (account names separated by ';'). Each village's county must
    /// be assigned to the interviewers' team (in the database, or by --counties).
    #[arg(long)]
    villages: Option<PathBuf>,
    #[command(flatten)]
    db: DbArgs,
}

/// `assess assignment list`
#[derive(clap::Args, Debug)]
pub struct ListArgs {
    /// JSON (`{"counties": [...], "villages": [...]}`) instead of text.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    db: DbArgs,
}

pub fn run(cmd: AssignmentCmd) -> anyhow::Result<()> {
    match cmd {
        AssignmentCmd::Load(a) => load(a),
        AssignmentCmd::List(a) => list(a),
    }
}

fn read(path: &Option<PathBuf>) -> anyhow::Result<Option<(String, Vec<u8>)>> {
    path.as_deref()
        .map(|p: &Path| {
            let bytes = std::fs::read(p).with_context(|| format!("cannot read {}", p.display()))?;
            Ok((p.display().to_string(), bytes))
        })
        .transpose()
}

fn file(f: &Option<(String, Vec<u8>)>) -> Option<AssignmentFile<'_>> {
    f.as_ref().map(|(name, bytes)| AssignmentFile {
        name: name.as_str(),
        bytes: bytes.as_slice(),
    })
}

fn load(a: LoadArgs) -> anyhow::Result<()> {
    // Both files are read before the database is opened.
    let counties = read(&a.counties)?;
    let villages = read(&a.villages)?;
    let done = on_store!(&a.db.db, |store| accounts::load_assignments(
        &store,
        file(&counties),
        file(&villages)
    ))?;
    println!(
        "assigned {} count{} to teams and {} village{} to interviewers (what was already \
         assigned is unchanged)",
        done.counties,
        if done.counties == 1 { "y" } else { "ies" },
        done.villages,
        if done.villages == 1 { "" } else { "s" }
    );
    Ok(())
}

fn list(a: ListArgs) -> anyhow::Result<()> {
    let all = on_store!(&a.db.db, |store| accounts::list_assignments(&store))?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&all)?);
        return Ok(());
    }
    if all.counties.is_empty() && all.villages.is_empty() {
        println!("no assignments in {}", a.db.db);
        return Ok(());
    }
    for c in &all.counties {
        println!(
            "team {}\tcounty {}\tassigned {}",
            c.team, c.county_code, c.assigned_at
        );
    }
    for v in &all.villages {
        println!(
            "interviewer {}\tdraw {}\tcounty {}\tvillage {}\tassigned {}",
            v.account, v.draw_id, v.county_code, v.village_code, v.assigned_at
        );
    }
    Ok(())
}
