//! mfe-payments writes its GraphQL operations by hand (no client library in the browser): each is
//! validated here against the committed schema, `api/schema.graphql`, so a change to the schema
//! that breaks the micro-frontend fails this test rather than a person's browser.

use apollo_compiler::{ExecutableDocument, Schema};

mod ops {
    include!("../../mfe-payments/src/ops.rs");
}

const SDL: &str = include_str!("../../api/schema.graphql");

/// The operations the micro-frontend sends, by name.
const OPERATIONS: [(&str, &str); 11] = [
    ("ListPayments", ops::LIST),
    ("GetPayment", ops::GET),
    ("CreatePayment", ops::CREATE),
    ("UpdatePayment", ops::UPDATE),
    ("ApprovePayment", ops::APPROVE),
    ("RejectPayment", ops::REJECT),
    ("CancelPayment", ops::CANCEL),
    ("DeletePayment", ops::DELETE),
    ("OnCreatePayment", ops::ON_CREATE),
    ("OnUpdatePayment", ops::ON_UPDATE),
    ("OnDeletePayment", ops::ON_DELETE),
];

fn schema() -> apollo_compiler::validation::Valid<Schema> {
    Schema::parse_and_validate(SDL, "api/schema.graphql").unwrap_or_else(|errors| panic!("the schema: {errors}"))
}

#[test]
fn every_operation_of_mfe_payments_is_valid_against_the_committed_schema() {
    let schema = schema();
    for (name, operation) in OPERATIONS {
        if let Err(errors) = ExecutableDocument::parse_and_validate(&schema, operation, "mfe-payments/src/ops.rs") {
            panic!("{name} no longer fits api/schema.graphql:\n{errors}");
        }
    }
}

/// The control: an operation that asks for a field the schema lacks is refused.
#[test]
fn an_operation_the_schema_does_not_allow_is_refused() {
    let wrong = ops::GET.replace("dueDate", "dueOn");
    assert!(ExecutableDocument::parse_and_validate(&schema(), &wrong, "wrong.graphql").is_err());
}
