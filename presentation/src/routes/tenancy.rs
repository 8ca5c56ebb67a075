//! Tenancy routes: organizations, invitations, members, and the caller's membership
//! of the tenant named by `X-Tenant-Id`.

use actix_web::http::header;
use actix_web::{delete, get, patch, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tenantry_application::tenancy::ports::OrganizationView;
use tenantry_application::tenancy::{
    AcceptInvitation, ChangeMemberRole, CreateOrganization, InviteMember, MemberView, RemoveMember, RevokeInvitation,
};
use tenantry_domain::tenancy::{Invitation, InvitationId, Membership};
use tenantry_kernel::{SortOrder, UserId};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Authenticated;
use crate::error::{ApiError, ErrorBody};
use crate::paging::{PageParams, PageResponse};
use crate::tenant_context::{in_tenant, TenantScoped};
use crate::HttpState;

pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(create_organization)
        .service(list_organizations)
        .service(get_organization)
        .service(invite_member)
        .service(list_invitations)
        .service(revoke_invitation)
        .service(accept_invitation)
        .service(list_members)
        .service(change_member_role)
        .service(remove_member)
        .service(current_membership);
}

const ORGANIZATION_SORTS: &[&str] = &["created_at", "name", "slug"];
const MEMBER_SORTS: &[&str] = &["joined_at", "role"];

/// A new organization.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateOrganizationRequest {
    #[schema(example = "Acme Corp", min_length = 1, max_length = 100)]
    pub name: String,
    /// Lowercase letters, digits and single hyphens, 3..=63 characters; derived from the name when absent.
    #[schema(example = "acme-corp", min_length = 3, max_length = 63, pattern = "^[a-z0-9]+(-[a-z0-9]+)*$")]
    pub slug: Option<String>,
}

/// An organization, with the caller's role in it.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationResponse {
    pub id: Uuid,
    pub name: String,
    pub slug: String,
    #[schema(example = "owner")]
    pub role: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<OrganizationView> for OrganizationResponse {
    fn from(view: OrganizationView) -> Self {
        Self {
            id: view.id.as_uuid(),
            name: view.name,
            slug: view.slug,
            role: view.role.as_str().to_owned(),
            created_at: view.created_at,
            updated_at: view.updated_at,
        }
    }
}

/// Who to invite, and as what.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvitationRequest {
    #[schema(example = "bob@example.com")]
    pub email: String,
    /// `owner`, `admin`, `member` or `viewer`.
    #[schema(example = "member")]
    pub role: String,
}

/// An invitation; the token only travels in the invitation mail.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationResponse {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub email: String,
    pub role: String,
    pub expires_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

impl From<Invitation> for InvitationResponse {
    fn from(invitation: Invitation) -> Self {
        Self {
            id: invitation.id().as_uuid(),
            organization_id: invitation.tenant_id().as_uuid(),
            email: invitation.email().as_str().to_owned(),
            role: invitation.role().as_str().to_owned(),
            expires_at: invitation.expires_at(),
            created_at: invitation.created_at(),
        }
    }
}

/// A membership created by accepting an invitation.
#[derive(Debug, Serialize, ToSchema)]
pub struct MembershipResponse {
    pub organization_id: Uuid,
    pub user_id: Uuid,
    pub role: String,
    pub joined_at: DateTime<Utc>,
}

impl From<Membership> for MembershipResponse {
    fn from(membership: Membership) -> Self {
        Self {
            organization_id: membership.tenant_id().as_uuid(),
            user_id: membership.user_id().as_uuid(),
            role: membership.role().as_str().to_owned(),
            joined_at: membership.joined_at(),
        }
    }
}

/// A member of an organization.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberResponse {
    pub user_id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub joined_at: DateTime<Utc>,
}

impl From<MemberView> for MemberResponse {
    fn from(view: MemberView) -> Self {
        Self {
            user_id: view.user_id.as_uuid(),
            email: view.email,
            display_name: view.display_name,
            role: view.role.as_str().to_owned(),
            joined_at: view.joined_at,
        }
    }
}

/// A new role for a member.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeRoleRequest {
    #[schema(example = "admin")]
    pub role: String,
}

/// The caller's standing in the tenant named by `X-Tenant-Id`.
#[derive(Debug, Serialize, ToSchema)]
pub struct CurrentMembershipResponse {
    pub organization_id: Uuid,
    pub role: String,
    /// `resource:action` permissions the role grants.
    pub permissions: Vec<&'static str>,
}

/// Create an organization; the caller becomes its owner.
#[utoipa::path(
    tag = "tenancy",
    security(("bearer" = [])),
    request_body = CreateOrganizationRequest,
    responses(
        (status = 201, body = OrganizationResponse, headers(("Location" = String))),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 409, description = "`slug_taken`", body = ErrorBody),
    )
)]
#[post("/api/v1/organizations")]
pub(crate) async fn create_organization(
    state: web::Data<HttpState>,
    auth: Authenticated,
    body: web::Json<CreateOrganizationRequest>,
) -> Result<HttpResponse, ApiError> {
    let CreateOrganizationRequest { name, slug } = body.into_inner();
    let organization = state.tenancy.create_organization(&auth.0, CreateOrganization { name, slug }).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/organizations/{}", organization.id)))
        .json(OrganizationResponse::from(organization)))
}

/// The caller's organizations.
#[utoipa::path(
    tag = "tenancy",
    security(("bearer" = [])),
    params(PageParams),
    responses((status = 200, body = crate::paging::PageResponse<OrganizationResponse>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody))
)]
#[get("/api/v1/organizations")]
pub(crate) async fn list_organizations(
    state: web::Data<HttpState>,
    auth: Authenticated,
    params: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let query = params.validate(ORGANIZATION_SORTS)?;
    let page = state.tenancy.list_organizations(&auth.0, &query).await?;
    Ok(HttpResponse::Ok().json(PageResponse::from_page(page, OrganizationResponse::from)))
}

/// One organization, for its members.
#[utoipa::path(
    tag = "tenancy",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Organization id")),
    responses((status = 200, body = OrganizationResponse), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody))
)]
#[get("/api/v1/organizations/{id}")]
pub(crate) async fn get_organization(
    state: web::Data<HttpState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let organization = state.tenancy.get_organization(&in_tenant(auth.0, path.into_inner())).await?;
    Ok(HttpResponse::Ok().json(OrganizationResponse::from(organization)))
}

/// Invite someone by email (owners and admins). The token is mailed, never returned.
#[utoipa::path(
    tag = "tenancy",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Organization id")),
    request_body = InvitationRequest,
    responses(
        (status = 201, body = InvitationResponse),
        (status = 400, body = ErrorBody),
        (status = 403, description = "`forbidden`", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "`already_member`", body = ErrorBody),
    )
)]
#[post("/api/v1/organizations/{id}/invitations")]
pub(crate) async fn invite_member(
    state: web::Data<HttpState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: web::Json<InvitationRequest>,
) -> Result<HttpResponse, ApiError> {
    let InvitationRequest { email, role } = body.into_inner();
    let context = in_tenant(auth.0, path.into_inner());
    let invitation = state.tenancy.invite_member(&context, InviteMember { email, role }).await?;
    Ok(HttpResponse::Created().json(InvitationResponse::from(invitation)))
}

/// The invitations not yet accepted, newest first (owners and admins); expired ones
/// are listed until revoked, so a sender sees what never arrived.
#[utoipa::path(
    tag = "tenancy",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Organization id"), PageParams),
    responses(
        (status = 200, body = crate::paging::PageResponse<InvitationResponse>),
        (status = 400, body = ErrorBody),
        (status = 403, description = "`forbidden`", body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
#[get("/api/v1/organizations/{id}/invitations")]
pub(crate) async fn list_invitations(
    state: web::Data<HttpState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    params: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let page = params.fixed_order("created_at", SortOrder::Desc)?;
    let context = in_tenant(auth.0, path.into_inner());
    let invitations = state.tenancy.pending_invitations(&context, page).await?;
    Ok(HttpResponse::Ok().json(PageResponse::from_page(invitations, InvitationResponse::from)))
}

/// Withdraw an invitation (owners and admins): its token stops working at once.
#[utoipa::path(
    tag = "tenancy",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Organization id"), ("invitation_id" = Uuid, Path)),
    responses(
        (status = 204, description = "Revoked"),
        (status = 403, description = "`forbidden`", body = ErrorBody),
        (status = 404, description = "No such pending invitation", body = ErrorBody),
    )
)]
#[delete("/api/v1/organizations/{id}/invitations/{invitation_id}")]
pub(crate) async fn revoke_invitation(
    state: web::Data<HttpState>,
    auth: Authenticated,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (tenant, invitation) = path.into_inner();
    let command = RevokeInvitation { invitation_id: InvitationId::from_uuid(invitation) };
    state.tenancy.revoke_invitation(&in_tenant(auth.0, tenant), command).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Accept an invitation as the invited (logged-in) user.
#[utoipa::path(
    tag = "tenancy",
    security(("bearer" = [])),
    params(("token" = String, Path, description = "The token from the invitation mail")),
    responses(
        (status = 200, body = MembershipResponse),
        (status = 401, body = ErrorBody),
        (status = 403, description = "`invitation_wrong_recipient`", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "`already_member`", body = ErrorBody),
        (status = 422, description = "`invitation_expired`, `invitation_already_used`", body = ErrorBody),
    )
)]
#[post("/api/v1/invitations/{token}/accept")]
pub(crate) async fn accept_invitation(
    state: web::Data<HttpState>,
    auth: Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let membership = state.tenancy.accept_invitation(&auth.0, AcceptInvitation { token: path.into_inner() }).await?;
    Ok(HttpResponse::Ok().json(MembershipResponse::from(membership)))
}

/// The members of an organization (any member may read).
#[utoipa::path(
    tag = "tenancy",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Organization id"), PageParams),
    responses((status = 200, body = crate::paging::PageResponse<MemberResponse>), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody))
)]
#[get("/api/v1/organizations/{id}/members")]
pub(crate) async fn list_members(
    state: web::Data<HttpState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    params: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let query = params.validate(MEMBER_SORTS)?;
    let page = state.tenancy.list_members(&in_tenant(auth.0, path.into_inner()), &query).await?;
    Ok(HttpResponse::Ok().json(PageResponse::from_page(page, MemberResponse::from)))
}

/// Change a member's role (owners and admins; only owners touch owners).
#[utoipa::path(
    tag = "tenancy",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Organization id"), ("user_id" = Uuid, Path, description = "Member")),
    request_body = ChangeRoleRequest,
    responses(
        (status = 200, body = MemberResponse),
        (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, description = "`last_owner`", body = ErrorBody),
    )
)]
#[patch("/api/v1/organizations/{id}/members/{user_id}")]
pub(crate) async fn change_member_role(
    state: web::Data<HttpState>,
    auth: Authenticated,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<ChangeRoleRequest>,
) -> Result<HttpResponse, ApiError> {
    let (tenant, user) = path.into_inner();
    let command = ChangeMemberRole { user_id: UserId::from_uuid(user), role: body.into_inner().role };
    let member = state.tenancy.change_member_role(&in_tenant(auth.0, tenant), command).await?;
    Ok(HttpResponse::Ok().json(MemberResponse::from(member)))
}

/// Remove a member, or leave when it is yourself. The last owner always stays.
#[utoipa::path(
    tag = "tenancy",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Organization id"), ("user_id" = Uuid, Path, description = "Member")),
    responses(
        (status = 204, description = "Removed"),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, description = "`last_owner`", body = ErrorBody),
    )
)]
#[delete("/api/v1/organizations/{id}/members/{user_id}")]
pub(crate) async fn remove_member(
    state: web::Data<HttpState>,
    auth: Authenticated,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (tenant, user) = path.into_inner();
    state.tenancy.remove_member(&in_tenant(auth.0, tenant), RemoveMember { user_id: UserId::from_uuid(user) }).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The caller's role and effective permissions in the tenant named by `X-Tenant-Id`
/// (for an API key: its scopes within its creator's current role).
#[utoipa::path(
    tag = "tenancy",
    security(("bearer" = [])),
    params(("X-Tenant-Id" = Uuid, Header, description = "Organization id")),
    responses(
        (status = 200, body = CurrentMembershipResponse),
        (status = 400, description = "`tenant_required`", body = ErrorBody),
        (status = 403, description = "`not_a_member`", body = ErrorBody),
    )
)]
#[get("/api/v1/membership")]
pub(crate) async fn current_membership(
    state: web::Data<HttpState>,
    scoped: TenantScoped,
) -> Result<HttpResponse, ApiError> {
    let context = scoped.0;
    let membership = state.tenancy.current_membership(&context).await?;
    Ok(HttpResponse::Ok().json(CurrentMembershipResponse {
        organization_id: membership.tenant_id.as_uuid(),
        role: membership.role.as_str().to_owned(),
        permissions: membership.permissions,
    }))
}
