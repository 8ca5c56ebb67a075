//! The OpenAPI 3.1 document: every route, schema and error code.

use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::error::{ErrorBody, ErrorDetail};
use crate::routes::{api_keys, audit, identity, operations, tenancy};

#[derive(OpenApi)]
#[openapi(
    info(title = "Tenantry API", description = "The SaaS backbone: identity, tenancy and more. Errors share one shape (`ErrorBody`)."),
    paths(
        identity::register,
        identity::login,
        identity::refresh,
        identity::logout,
        identity::me,
        identity::get_user,
        identity::list_sessions,
        identity::revoke_session,
        identity::revoke_other_sessions,
        identity::verify_email,
        identity::resend_verification,
        identity::forgot_password,
        identity::reset_password,
        identity::change_password,
        identity::jwks,
        identity::get_profile,
        identity::update_profile,
        tenancy::create_organization,
        tenancy::list_organizations,
        tenancy::get_organization,
        tenancy::invite_member,
        tenancy::list_invitations,
        tenancy::revoke_invitation,
        tenancy::accept_invitation,
        tenancy::list_members,
        tenancy::change_member_role,
        tenancy::remove_member,
        tenancy::current_membership,
        api_keys::create_api_key,
        api_keys::list_api_keys,
        api_keys::revoke_api_key,
        audit::list_audit_logs,
        operations::health,
        operations::ready,
        operations::metrics,
    ),
    components(schemas(ErrorBody, ErrorDetail)),
    modifiers(&BearerAuth),
    tags((name = "identity", description = "Accounts, login and sessions"), (name = "tenancy", description = "Organizations, invitations, members and roles"), (name = "audit", description = "The audit trail"), (name = "operations", description = "Health and metrics"))
)]
pub(crate) struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut scheme = Http::new(HttpAuthScheme::Bearer);
        scheme.bearer_format = Some("JWT".to_owned());
        components.add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

/// Every POST accepts an `Idempotency-Key` (the middleware handles them all alike).
struct IdempotencyKeyHeader;

impl Modify for IdempotencyKeyHeader {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        use utoipa::openapi::Required;

        for item in openapi.paths.paths.values_mut() {
            let Some(post) = item.post.as_mut() else { continue };
            if post.parameters.iter().flatten().any(|p| p.name == "Idempotency-Key") {
                continue;
            }
            let header = ParameterBuilder::new()
                .name("Idempotency-Key")
                .parameter_in(ParameterIn::Header)
                .required(Required::False)
                .description(Some(
                    "Retries with the same key and request within 24 h get the first answer again \
                     (`Idempotent-Replayed: true`); the same key with another request is refused with 422 \
                     `idempotency_key_reused`, and while the first is still running with 409 \
                     `idempotency_key_in_progress`. Answers marked `no-store` are not kept.",
                ))
                .schema(Some(
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .min_length(Some(1))
                        .max_length(Some(255))
                        // Visible ASCII only, as IdempotencyKey::parse accepts.
                        .pattern(Some("^[!-~]+$")),
                ))
                .build();
            post.parameters.get_or_insert_with(Vec::new).push(header);
        }
    }
}

/// The document as served at `/api-docs/openapi.json` and printed by `tenantry openapi`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    openapi_with(&[])
}

/// Tenantry's document with the modules' paths, schemas and error codes merged in;
/// every POST, Tenantry's or a module's, documents the `Idempotency-Key` header.
pub fn openapi_with(modules: &[crate::ModuleDocument]) -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    let mut codes = Vec::new();
    for module in modules {
        if let Some(paths) = &module.openapi {
            doc.merge(paths.clone());
        }
        codes.extend(module.error_codes.iter().map(|code| code.as_str()));
    }
    IdempotencyKeyHeader.modify(&mut doc);
    add_error_codes(&mut doc, &codes);
    doc
}

/// Lists the modules' codes in `ErrorBody.error_code`'s enum beside Tenantry's.
fn add_error_codes(doc: &mut utoipa::openapi::OpenApi, codes: &[&'static str]) {
    use utoipa::openapi::{RefOr, Schema};
    if codes.is_empty() {
        return;
    }
    let Some(components) = doc.components.as_mut() else { return };
    let Some(RefOr::T(Schema::Object(body))) = components.schemas.get_mut("ErrorBody") else { return };
    let Some(RefOr::T(Schema::Object(code))) = body.properties.get_mut("error_code") else { return };
    let values = code.enum_values.get_or_insert_with(Vec::new);
    for extra in codes {
        let extra = serde_json::Value::from(*extra);
        if !values.contains(&extra) {
            values.push(extra);
        }
    }
}
