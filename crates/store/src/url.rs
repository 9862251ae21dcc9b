//! The `--db` value: a SQLite file (the default, embedded) or a PostgreSQL URL.

use crate::StoreError;

/// Which database engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    /// A SQLite file: no server needed.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// A parsed `--db` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbUrl {
    /// Which engine.
    pub backend: Backend,
    raw: String,
}

impl DbUrl {
    /// `postgres://...` or `postgresql://...` selects PostgreSQL; `sqlite://PATH`,
    /// `sqlite:PATH` or a plain file path selects SQLite (the file is created if missing).
    pub fn parse(text: &str) -> Result<DbUrl, StoreError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(StoreError::BadUrl(text.to_string()));
        }
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            return Ok(DbUrl {
                backend: Backend::Postgres,
                raw: text.to_string(),
            });
        }
        let path = text
            .strip_prefix("sqlite://")
            .or_else(|| text.strip_prefix("sqlite:"))
            .unwrap_or(text);
        if path.is_empty() || path.contains("://") {
            return Err(StoreError::BadUrl(text.to_string()));
        }
        Ok(DbUrl {
            backend: Backend::Sqlite,
            raw: path.to_string(),
        })
    }

    /// The SQLite file's path (None for PostgreSQL).
    pub fn sqlite_path(&self) -> Option<&std::path::Path> {
        (self.backend == Backend::Sqlite).then(|| std::path::Path::new(&self.raw))
    }

    /// The string handed to the driver.
    pub(crate) fn connect_string(&self) -> String {
        match self.backend {
            Backend::Postgres => self.raw.clone(),
            Backend::Sqlite => format!("sqlite://{}?mode=rwc", self.raw),
        }
    }

    /// For messages: the URL with any password masked.
    pub fn display(&self) -> String {
        match (self.backend, self.raw.split_once('@')) {
            (Backend::Postgres, Some((left, right))) => match left.rsplit_once(':') {
                Some((user, _password)) if !user.ends_with('/') => format!("{user}:***@{right}"),
                _ => self.raw.clone(),
            },
            _ => self.raw.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_select_the_engine_and_hide_passwords() {
        assert_eq!(DbUrl::parse("assess.db").unwrap().backend, Backend::Sqlite);
        assert_eq!(
            DbUrl::parse("sqlite://x/assess.db")
                .unwrap()
                .connect_string(),
            "sqlite://x/assess.db?mode=rwc"
        );
        let pg = DbUrl::parse("postgres://census:secret@10.0.0.5:5432/assess").unwrap();
        assert_eq!(pg.backend, Backend::Postgres);
        assert_eq!(pg.display(), "postgres://census:***@10.0.0.5:5432/assess");
        assert!(DbUrl::parse("mysql://x").is_err());
        assert!(DbUrl::parse(" ").is_err());
    }
}
