// The GraphQL operations, written by hand: `tests/tests/payments_operations.rs` validates each one
// against the committed schema (`api/schema.graphql`), so a change there that breaks them fails a
// test. This file holds only the operations, so that test can `include!` it.

/// Every field of a payment the pages show.
macro_rules! payment {
    () => {
        "{ id amount { amount minorUnits currency } dueDate fromAccount toAccount counterparty { name iban } \
         message type status reference failureReason tenantId createdBy approvedBy createdAt updatedAt version }"
    };
}

/// A decision on one payment at the version the person saw.
macro_rules! decision {
    ($name:literal, $field:literal) => {
        concat!(
            "mutation ",
            $name,
            "($id: ID!, $expectedVersion: Int) { ",
            $field,
            "(id: $id, expectedVersion: $expectedVersion) ",
            payment!(),
            " }"
        )
    };
}

/// Payments whose `event` the api announces, in one organisation.
macro_rules! subscription {
    ($name:literal, $field:literal) => {
        concat!("subscription ", $name, "($tenantId: ID) { ", $field, "(tenantId: $tenantId) ", payment!(), " }")
    };
}

pub const LIST: &str = concat!(
    "query ListPayments($tenantId: ID, $filter: ModelPaymentFilterInput, $limit: Int, $nextToken: String) { ",
    "listPayments(tenantId: $tenantId, filter: $filter, limit: $limit, nextToken: $nextToken) { items ",
    payment!(),
    " nextToken } }"
);

pub const GET: &str = concat!("query GetPayment($id: ID!) { getPayment(id: $id) ", payment!(), " }");

pub const CREATE: &str = concat!(
    "mutation CreatePayment($input: CreatePaymentInput!, $idempotencyKey: String) { ",
    "createPayment(input: $input, idempotencyKey: $idempotencyKey) ",
    payment!(),
    " }"
);

pub const UPDATE: &str = concat!(
    "mutation UpdatePayment($input: UpdatePaymentInput!, $expectedVersion: Int!) { ",
    "updatePayment(input: $input, expectedVersion: $expectedVersion) ",
    payment!(),
    " }"
);

pub const APPROVE: &str = decision!("ApprovePayment", "approvePayment");
pub const REJECT: &str = decision!("RejectPayment", "rejectPayment");
pub const CANCEL: &str = decision!("CancelPayment", "cancelPayment");

pub const DELETE: &str = concat!(
    "mutation DeletePayment($id: ID!, $expectedVersion: Int) { ",
    "deletePayment(input: { id: $id }, expectedVersion: $expectedVersion) ",
    payment!(),
    " }"
);

pub const ON_CREATE: &str = subscription!("OnCreatePayment", "onCreatePayment");
pub const ON_UPDATE: &str = subscription!("OnUpdatePayment", "onUpdatePayment");
pub const ON_DELETE: &str = subscription!("OnDeletePayment", "onDeletePayment");
