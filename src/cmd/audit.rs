//! `assess audit verify|head|keygen`: the hash-chained audit log of the survey database
//! (docs/audit.md).

use crate::cmd::store::{block_on, DbArgs};
use assess_app::audit::{self, Verification};
use assess_store::Store;
use std::path::PathBuf;

/// `assess audit`
#[derive(clap::Subcommand, Debug)]
pub enum AuditCmd {
    /// Check the audit log's chain and every stored record, photo, draw, step and evidence
    /// file against it; with --head, also that the log still holds a signed head. Exit 1 and
    /// every problem named when anything was changed, deleted, reordered or added outside
    /// assess.
    Verify(VerifyArgs),
    /// Write the chain head (last entry, its hash, the number of entries, the time) as JSON,
    /// signed with --sign KEY_FILE; kept outside the database it commits to the log so far.
    Head(HeadArgs),
    /// Make an ed25519 signing key: the secret key file (mode 0600) and KEY_FILE.pub.
    Keygen(KeygenArgs),
}

/// `assess audit verify`
#[derive(clap::Args, Debug)]
pub struct VerifyArgs {
    /// A signed head written by `assess audit head --sign`: the log must still hold its entry
    /// at its sequence with the same hash, and its signature must verify.
    #[arg(long)]
    head: Option<PathBuf>,
    /// The public key the head must be signed by (KEY_FILE.pub from `assess audit keygen`);
    /// without it the head is checked by the key it names, which shows only that the file is
    /// intact, not who signed it.
    #[arg(long, requires = "head")]
    public_key: Option<PathBuf>,
    #[command(flatten)]
    db: DbArgs,
}

/// `assess audit head`
#[derive(clap::Args, Debug)]
pub struct HeadArgs {
    /// Sign the head with this secret key file (from `assess audit keygen`).
    #[arg(long, value_name = "KEY_FILE")]
    sign: Option<PathBuf>,
    /// The head file to write (JSON; never over an existing file).
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    db: DbArgs,
}

/// `assess audit keygen`
#[derive(clap::Args, Debug)]
pub struct KeygenArgs {
    /// The secret key file to make (mode 0600); the public key goes to this path plus .pub.
    #[arg(long)]
    out: PathBuf,
}

pub fn run(cmd: AuditCmd) -> anyhow::Result<()> {
    match cmd {
        AuditCmd::Verify(a) => run_verify(a),
        AuditCmd::Head(a) => run_head(a),
        AuditCmd::Keygen(a) => run_keygen(a),
    }
}

fn run_verify(args: VerifyArgs) -> anyhow::Result<()> {
    let head = args.head.as_deref().map(audit::read_head).transpose()?;
    let trusted = args
        .public_key
        .as_deref()
        .map(audit::read_public_key)
        .transpose()?;
    let done = block_on(async {
        let store = Store::open(&args.db.db).await?;
        let done = audit::verify(&store, head.as_ref(), trusted.as_ref()).await;
        store.close().await;
        anyhow::Ok(done?)
    })??;
    let Verification {
        report,
        head,
        trusted_key,
    } = done;
    if !report.intact() {
        for p in &report.problems {
            println!("{p}");
        }
        anyhow::bail!(
            "the audit log of {} does not verify: {} problem{} (listed above)",
            args.db.db,
            report.problems.len(),
            if report.problems.len() == 1 { "" } else { "s" }
        );
    }
    let (sequence, hash) = &report.last;
    let baseline = match report.baseline {
        0 => String::new(),
        n => format!(", {n} of them logging objects made before the log"),
    };
    println!(
        "audit log intact: {} entries{baseline}, {} stored objects match it; head entry {sequence} {}",
        report.entries,
        report.objects,
        &hash[..16]
    );
    if let Some(h) = head {
        println!(
            "signed head of {} (entry {}) verified{}",
            h.head.time,
            h.head.sequence,
            if trusted_key {
                " with the trusted public key"
            } else {
                " with the key it names (give --public-key to check who signed it)"
            }
        );
    }
    Ok(())
}

fn run_head(args: HeadArgs) -> anyhow::Result<()> {
    let key = args
        .sign
        .as_deref()
        .map(audit::read_secret_key)
        .transpose()?;
    let done = block_on(async {
        let store = Store::open(&args.db.db).await?;
        let done = audit::head(&store, key.as_ref(), &args.out).await;
        store.close().await;
        anyhow::Ok(done?)
    })??;
    let h = &done.head;
    println!(
        "head: entry {} {} ({} entries) at {}{}; written to {}",
        h.sequence,
        &h.entry_hash[..16],
        h.entries,
        h.time,
        match &done.signed {
            Some(s) => format!(", signed by {}", s.public_key),
            None => String::new(),
        },
        args.out.display()
    );
    Ok(())
}

fn run_keygen(args: KeygenArgs) -> anyhow::Result<()> {
    let pair = audit::keygen(&args.out)?;
    println!(
        "secret key written to {} (mode 0600: keep it off the server); public key {} written to {}",
        pair.secret.display(),
        pair.public.to_hex(),
        pair.public_file.display()
    );
    Ok(())
}
