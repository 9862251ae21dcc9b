//! `assess user add|token|revoke|list`: accounts of the field server and their API tokens,
//! offline against the database (docs/server.md, "Accounts, tokens, roles").
//!
//! A token is printed once, alone on stdout (so that `TOKEN=$(assess user add ...)` keeps
//! it), with a note on stderr that it is not stored: the database keeps only its SHA-256.

use crate::cmd::store::DbArgs;
use assess_access::Role;
use assess_app::accounts;

/// `assess user ...`
#[derive(clap::Subcommand, Debug)]
pub enum UserCmd {
    /// Add an account and print its first token (once: it is not stored).
    Add(AddArgs),
    /// Print a new token for an account (its other tokens keep working).
    Token(NameArgs),
    /// Revoke an account and all its tokens (its name is never given again).
    Revoke(NameArgs),
    /// List the accounts, revoked ones included.
    List(ListArgs),
}

/// `assess user add`
#[derive(clap::Args, Debug)]
pub struct AddArgs {
    /// The account's name (unique for ever; up to 64 characters, no ';').
    name: String,
    /// What the account may do: interviewer (their villages), team_leader (their team's
    /// counties), cross_assessor (as a team leader, never their own province), coordinator
    /// (reads everything), admin (everything, accounts included).
    #[arg(long)]
    role: Role,
    /// The account's team (interviewers, team leaders and cross-assessors).
    #[arg(long)]
    team: Option<String>,
    /// A cross-assessor's own province (two digits, e.g. 53), whose counties they never assess.
    #[arg(long)]
    province: Option<String>,
    #[command(flatten)]
    db: DbArgs,
}

/// `assess user token|revoke`
#[derive(clap::Args, Debug)]
pub struct NameArgs {
    /// The account's name.
    name: String,
    #[command(flatten)]
    db: DbArgs,
}

/// `assess user list`
#[derive(clap::Args, Debug)]
pub struct ListArgs {
    /// JSON (an array of accounts) instead of a table.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    db: DbArgs,
}

pub fn run(cmd: UserCmd) -> anyhow::Result<()> {
    match cmd {
        UserCmd::Add(a) => add(a),
        UserCmd::Token(a) => token(a),
        UserCmd::Revoke(a) => revoke(a),
        UserCmd::List(a) => list(a),
    }
}

fn shown_once(name: &str, token: &str) {
    println!("{token}");
    eprintln!(
        "the token of {name} is above, shown this once: it is not stored (the database keeps \
         only its SHA-256), so give it to {name} now; a lost token is replaced with `assess user \
         token {name}`"
    );
}

fn add(a: AddArgs) -> anyhow::Result<()> {
    let issued = on_store!(&a.db.db, |store| accounts::add_user(
        &store,
        &a.name,
        a.role,
        a.team.as_deref(),
        a.province.as_deref(),
    ))?;
    let account = &issued.account;
    eprintln!(
        "added {} ({}{}{})",
        account.name,
        account.role,
        account
            .team
            .as_deref()
            .map(|t| format!(", team {t}"))
            .unwrap_or_default(),
        account
            .province
            .as_deref()
            .map(|p| format!(", province {p}"))
            .unwrap_or_default(),
    );
    shown_once(&account.name, &issued.token);
    Ok(())
}

fn token(a: NameArgs) -> anyhow::Result<()> {
    let token = on_store!(&a.db.db, |store| accounts::add_token(&store, &a.name))?;
    shown_once(&a.name, &token);
    Ok(())
}

fn revoke(a: NameArgs) -> anyhow::Result<()> {
    let done = on_store!(&a.db.db, |store| accounts::revoke_user(&store, &a.name))?;
    if done.already {
        println!("{} was already revoked; nothing changed", a.name);
    } else {
        println!(
            "revoked {} and its {} token{}",
            a.name,
            done.tokens,
            if done.tokens == 1 { "" } else { "s" }
        );
    }
    Ok(())
}

fn list(a: ListArgs) -> anyhow::Result<()> {
    let rows = on_store!(&a.db.db, |store| accounts::list_users(&store))?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(());
    }
    if rows.is_empty() {
        println!("no accounts in {}", a.db.db);
        return Ok(());
    }
    println!("name\trole\tteam\tprovince\ttokens\tcreated\trevoked");
    for r in &rows {
        let a = &r.account;
        println!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}",
            a.name,
            a.role,
            a.team.as_deref().unwrap_or("-"),
            a.province.as_deref().unwrap_or("-"),
            r.active_tokens,
            r.created_at,
            r.revoked_at.as_deref().unwrap_or("-")
        );
    }
    Ok(())
}
