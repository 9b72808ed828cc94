//! The identity-pool operations on the Cognito endpoint: the unsigned ones a client calls with its
//! logins (or as a guest), and the pool administration, SigV4-signed for `cognito-identity` with the
//! admin credentials.

use super::ops;

crate::cognito::wire::operations! {
    "GetId": Public => get_id::run,
    "GetCredentialsForIdentity": Public => get_credentials_for_identity::run,
    "GetOpenIdToken": Public => get_open_id_token::run,
    "CreateIdentityPool": Admin => pools::create,
    "DescribeIdentityPool": Admin => pools::describe,
    "UpdateIdentityPool": Admin => pools::update,
    "DeleteIdentityPool": Admin => pools::delete,
    "ListIdentityPools": Admin => pools::list,
    "SetIdentityPoolRoles": Admin => roles::set,
    "GetIdentityPoolRoles": Admin => roles::get,
    "DescribeIdentity": Admin => identities::describe,
    "ListIdentities": Admin => identities::list,
}
