//! The OpenAPI document, generated from the handlers' annotations. docs/openapi.json is this
//! document, and a test fails when the two differ (regenerate the file with
//! `assess serve --print-openapi > docs/openapi.json`).

use crate::api;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "assess field server", description = "Uploads from evaluation teams, progress, verdicts and findings. Every answer other than success is a JSON error body. See docs/server.md."),
    paths(
        api::meta::health, api::meta::openapi_json, api::meta::me, api::meta::form,
        api::field::assignments, api::field::village_households,
        api::records::upload, api::records::village_records, api::records::conflicts,
        api::photos::upload, api::photos::status,
        api::progress::progress, api::progress::verdict,
        api::findings::list, api::findings::step,
        api::admin::accounts,
        api::census::upload,
    ),
    modifiers(&BearerToken),
)]
struct ApiDoc;

struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The document.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    // The version is the API's, not the crate's, so the document changes only with the API.
    doc.info.version = "1".into();
    doc
}

/// The document as pretty JSON with a final newline, as docs/openapi.json holds it.
pub fn json() -> String {
    let mut text = document()
        .to_pretty_json()
        .expect("an OpenAPI document serialises");
    text.push('\n');
    text
}
