//! The census store a server writes uploads to: the Parquet store (whose lock it holds while
//! it lives) or the census tables of PostgreSQL, behind one thread that owns the sink, so that
//! uploads are written one at a time and an async server never blocks on the sink's I/O.
//!
//! The per-return work is [`crate::census_ingest::Uploads`]'s (the ingest's own). Not for: who may
//! send what (the caller gives the rule), HTTP.

use crate::census_ingest::{Admit, Answer, IngestError, Uploads};
use assess_census::{CensusReturn, InputId};
use assess_census_store::ParquetSink;
use assess_standards::Standards;
use assess_store::census::PgSink;
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use std::sync::mpsc;

/// Where uploaded returns go.
#[derive(Debug, Clone)]
pub enum CensusTarget {
    /// The census store, a Parquet dataset in this directory (made when new or empty).
    Parquet(PathBuf),
    /// The census tables of this PostgreSQL database (postgres://...).
    Postgres(String),
}

impl std::fmt::Display for CensusTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CensusTarget::Parquet(dir) => write!(f, "census store {}", dir.display()),
            CensusTarget::Postgres(_) => write!(f, "the census tables of the database"),
        }
    }
}

/// Who may send a return, owned (it crosses to the writer's thread).
pub type OwnedAdmit = Box<dyn Fn(&CensusReturn) -> Result<(), String> + Send>;

struct Job {
    who: String,
    body: Vec<u8>,
    admit: OwnedAdmit,
    reply: mpsc::Sender<Result<Vec<Answer>, IngestError>>,
}

/// The writer of uploaded returns. Dropping it ends its thread, which closes the sink (and
/// releases the Parquet store's lock).
pub struct CensusWriter {
    jobs: mpsc::Sender<Job>,
    target: CensusTarget,
}

impl std::fmt::Debug for CensusWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CensusWriter({})", self.target)
    }
}

impl CensusWriter {
    /// Opens the sink on the writer's thread (the Parquet store is locked from here on),
    /// judging returns by `standards`. Blocks until the sink is open or refused.
    pub fn open(target: CensusTarget, standards: Standards) -> Result<CensusWriter, IngestError> {
        let (jobs, queue) = mpsc::channel::<Job>();
        let (opened, is_open) = mpsc::channel::<Result<(), IngestError>>();
        let t = target.clone();
        std::thread::Builder::new()
            .name("census-writer".into())
            .spawn(move || match t {
                CensusTarget::Parquet(dir) => match ParquetSink::open(&dir) {
                    Ok((sink, _)) => {
                        let _ = opened.send(Ok(()));
                        serve(Uploads::new(sink, true), queue, &standards);
                    }
                    Err(e) => {
                        let _ = opened.send(Err(e.into()));
                    }
                },
                CensusTarget::Postgres(url) => match PgSink::connect(&url) {
                    Ok(sink) => {
                        let _ = opened.send(Ok(()));
                        serve(Uploads::new(sink, false), queue, &standards);
                    }
                    Err(e) => {
                        let _ = opened.send(Err(e.into()));
                    }
                },
            })
            .map_err(|source| IngestError::Io {
                what: "starting the census writer for",
                path: PathBuf::from(target.to_string()),
                source,
            })?;
        match is_open.recv() {
            Ok(Ok(())) => Ok(CensusWriter { jobs, target }),
            Ok(Err(e)) => Err(e),
            Err(_) => Err(gone()),
        }
    }

    /// Where it writes.
    pub fn target(&self) -> &CensusTarget {
        &self.target
    }

    /// Hands an upload of JSON Lines returns by `who` to the writer; returns a receiver of its
    /// answers (one per return, in order), so that an async caller waits off its executor.
    pub fn send(
        &self,
        who: &str,
        body: Vec<u8>,
        admit: OwnedAdmit,
    ) -> mpsc::Receiver<Result<Vec<Answer>, IngestError>> {
        let (reply, answer) = mpsc::channel();
        let job = Job {
            who: who.to_string(),
            body,
            admit,
            reply,
        };
        if let Err(mpsc::SendError(job)) = self.jobs.send(job) {
            let _ = job.reply.send(Err(gone()));
        }
        answer
    }
}

fn gone() -> IngestError {
    IngestError::Sink("the census writer stopped; see the server's log".into())
}

fn serve<S: assess_census::CensusSink>(
    mut uploads: Uploads<S>,
    queue: mpsc::Receiver<Job>,
    standards: &Standards,
) {
    let mut n: u64 = 0;
    while let Ok(job) = queue.recv() {
        n += 1;
        let sha = hex::encode(Sha256::digest(&job.body));
        let at = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        // Every upload is its own input: a body sent again is judged again (its returns
        // answered as already held), never skipped as a finished input.
        let input = InputId {
            path: format!("upload:{}:{at}:{n}", job.who),
            size: job.body.len() as u64,
            head_sha256: sha,
        };
        let name = format!("upload by {}", job.who);
        let admit: &Admit<'_> = &*job.admit;
        let answer = uploads.upload(input, &name, &job.body, standards, admit);
        let _ = job.reply.send(answer);
    }
}
