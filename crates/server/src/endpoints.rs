//! The table of every endpoint: method, path, the scope it checks, and its handler. The router
//! is built from this table and nothing else, and the tests compare it with the OpenAPI
//! document and drive every row for every role, in scope and out of it.

use crate::api;
use crate::ServerState;
use axum::routing::{get, post, put, MethodRouter};
use std::sync::Arc;

/// What an endpoint lets a caller touch, and so which check it makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// No token needed (health, the API description).
    Public,
    /// Any valid token; the answer is about the caller only.
    Caller,
    /// Any valid token; the answer lists only what the caller may read.
    Filtered,
    /// Reads one county or village named in the path: refused out of scope.
    Read(Over),
    /// Writes one county's or village's data named in the path or body: refused out of scope.
    Write(Over),
    /// Accounts and assignments: administrators only.
    Accounts,
}

/// The unit a scope is checked on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Over {
    /// A county (six-digit code).
    County,
    /// A sampled village (and its households).
    Village,
    /// Each census return of the body, by its county: a return out of scope is refused on
    /// its own (`out_of_scope`), the others taken.
    Return,
}

/// One endpoint.
#[derive(Debug, Clone, Copy)]
pub struct Endpoint {
    /// The HTTP method.
    pub method: &'static str,
    /// The path, with `{name}` parameters as in the OpenAPI document.
    pub path: &'static str,
    /// What it checks.
    pub scope: Scope,
    /// Its handler.
    pub handler: fn() -> MethodRouter<Arc<ServerState>>,
}

/// Every endpoint of the API.
pub static ENDPOINTS: &[Endpoint] = &[
    Endpoint {
        method: "GET",
        path: "/api/v1/health",
        scope: Scope::Public,
        handler: || get(api::meta::health),
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/openapi.json",
        scope: Scope::Public,
        handler: || get(api::meta::openapi_json),
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/me",
        scope: Scope::Caller,
        handler: || get(api::meta::me),
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/form",
        scope: Scope::Caller,
        handler: || get(api::meta::form),
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/assignments",
        scope: Scope::Caller,
        handler: || get(api::field::assignments),
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/draws/{draw}/villages/{village}/households",
        scope: Scope::Read(Over::Village),
        handler: || get(api::field::village_households),
    },
    Endpoint {
        method: "POST",
        path: "/api/v1/records",
        scope: Scope::Write(Over::Village),
        handler: || post(api::records::upload),
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/draws/{draw}/villages/{village}/records",
        scope: Scope::Read(Over::Village),
        handler: || get(api::records::village_records),
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/conflicts",
        scope: Scope::Filtered,
        handler: || get(api::records::conflicts),
    },
    Endpoint {
        method: "PUT",
        path: "/api/v1/draws/{draw}/households/{household}/photos/{sha256}",
        scope: Scope::Write(Over::Village),
        handler: || put(api::photos::upload),
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/draws/{draw}/households/{household}/photos/{sha256}",
        scope: Scope::Read(Over::Village),
        handler: || get(api::photos::status),
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/progress",
        scope: Scope::Filtered,
        handler: || get(api::progress::progress),
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/counties/{county}/verdict",
        scope: Scope::Read(Over::County),
        handler: || get(api::progress::verdict),
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/draws/{draw}/findings",
        scope: Scope::Filtered,
        handler: || get(api::findings::list),
    },
    Endpoint {
        method: "POST",
        path: "/api/v1/draws/{draw}/households/{household}/steps",
        scope: Scope::Write(Over::County),
        handler: || post(api::findings::step),
    },
    Endpoint {
        method: "GET",
        path: "/api/v1/accounts",
        scope: Scope::Accounts,
        handler: || get(api::admin::accounts),
    },
    Endpoint {
        method: "POST",
        path: "/api/v1/census/returns",
        scope: Scope::Write(Over::Return),
        handler: || post(api::census::upload),
    },
];
