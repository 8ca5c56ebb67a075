/// Tenancy business rules that a request can break.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TenancyError {
    /// An organization must always keep at least one owner.
    #[error("the last owner of an organization cannot be removed or demoted")]
    LastOwner,
    /// Admins manage members and admins; only owners manage owners.
    #[error("your role does not allow this change")]
    InsufficientRole,
    #[error("the invitation has expired")]
    InvitationExpired,
    #[error("the invitation has already been used")]
    InvitationAlreadyUsed,
    /// Invitations are personal: only the invited email address may accept.
    #[error("the invitation was sent to another email address")]
    WrongRecipient,
    /// The invitation's sender may no longer grant its role (demoted or departed).
    #[error("the invitation is no longer valid")]
    InvitationRevoked,
}
