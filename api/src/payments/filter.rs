//! `listPayments`' filter: AppSync's `ModelPaymentFilterInput` vocabulary (`eq ne lt le gt ge between
//! beginsWith contains notContains`, `and`/`or`/`not`), turned into SQL with every value bound and
//! every column from a fixed list. Unlike DynamoDB's, the filter applies before the limit, so pages
//! are full.

use async_graphql::{ID, InputObject};
use sqlx::{Postgres, QueryBuilder};

use super::model::{Invalid, PaymentStatus, PaymentType};
use crate::graphql::scalars::Decimal;

/// How deep `and`/`or`/`not` may nest.
pub const MAX_NESTING: usize = 5;

#[derive(Debug, Clone, Default, InputObject)]
#[graphql(name = "ModelStringInput")]
pub struct StringFilter {
    pub eq: Option<String>,
    pub ne: Option<String>,
    pub lt: Option<String>,
    pub le: Option<String>,
    pub gt: Option<String>,
    pub ge: Option<String>,
    pub between: Option<Vec<String>>,
    pub begins_with: Option<String>,
    pub contains: Option<String>,
    pub not_contains: Option<String>,
}

#[derive(Debug, Clone, Default, InputObject)]
#[graphql(name = "ModelIDInput")]
pub struct IdFilter {
    pub eq: Option<ID>,
    pub ne: Option<ID>,
}

#[derive(Debug, Clone, Default, InputObject)]
#[graphql(name = "ModelDecimalInput")]
pub struct DecimalFilter {
    pub eq: Option<Decimal>,
    pub ne: Option<Decimal>,
    pub lt: Option<Decimal>,
    pub le: Option<Decimal>,
    pub gt: Option<Decimal>,
    pub ge: Option<Decimal>,
    pub between: Option<Vec<Decimal>>,
}

#[derive(Debug, Clone, Default, InputObject)]
#[graphql(name = "ModelPaymentStatusInput")]
pub struct StatusFilter {
    pub eq: Option<PaymentStatus>,
    pub ne: Option<PaymentStatus>,
}

#[derive(Debug, Clone, Default, InputObject)]
#[graphql(name = "ModelPaymentTypeInput")]
pub struct TypeFilter {
    pub eq: Option<PaymentType>,
    pub ne: Option<PaymentType>,
}

/// Every condition given must hold; `and`, `or` and `not` combine filters.
#[derive(Debug, Clone, Default, InputObject)]
#[graphql(name = "ModelPaymentFilterInput")]
pub struct PaymentFilter {
    pub id: Option<IdFilter>,
    pub tenant_id: Option<IdFilter>,
    pub status: Option<StatusFilter>,
    #[graphql(name = "type")]
    pub kind: Option<TypeFilter>,
    /// Compared as `YYYY-MM-DD` text, which sorts as the dates do.
    pub due_date: Option<StringFilter>,
    /// In major units (`"12.34"`), whatever the currency.
    pub amount: Option<DecimalFilter>,
    pub currency: Option<StringFilter>,
    pub from_account: Option<IdFilter>,
    pub to_account: Option<IdFilter>,
    pub message: Option<StringFilter>,
    pub reference: Option<StringFilter>,
    pub counterparty_name: Option<StringFilter>,
    pub counterparty_iban: Option<StringFilter>,
    pub created_by: Option<IdFilter>,
    pub and: Option<Vec<PaymentFilter>>,
    pub or: Option<Vec<PaymentFilter>>,
    pub not: Option<Box<PaymentFilter>>,
}

/// Appends the filter's condition (always some boolean expression) to `sql`.
pub fn push(sql: &mut QueryBuilder<Postgres>, filter: &PaymentFilter) -> Result<(), Invalid> {
    push_at(sql, filter, "filter", 0)
}

fn push_at(sql: &mut QueryBuilder<Postgres>, filter: &PaymentFilter, path: &str, depth: usize) -> Result<(), Invalid> {
    if depth > MAX_NESTING {
        return Err(Invalid::new(path, format!("and/or/not nest at most {MAX_NESTING} levels")));
    }
    sql.push("(true");
    let ids = [
        ("id", "id", &filter.id),
        ("tenantId", "tenant_id", &filter.tenant_id),
        ("fromAccount", "from_account_id", &filter.from_account),
        ("toAccount", "to_account_id", &filter.to_account),
        ("createdBy", "created_by", &filter.created_by),
    ];
    for (field, column, condition) in ids {
        if let Some(condition) = condition {
            push_ids(sql, column, condition, &format!("{path}.{field}"))?;
        }
    }
    let texts = [
        ("dueDate", "due_date::text", &filter.due_date),
        ("currency", "currency", &filter.currency),
        ("message", "message", &filter.message),
        ("reference", "reference", &filter.reference),
        ("counterpartyName", "counterparty_name", &filter.counterparty_name),
        ("counterpartyIban", "counterparty_iban", &filter.counterparty_iban),
    ];
    for (field, column, condition) in texts {
        if let Some(condition) = condition {
            push_texts(sql, column, condition, &format!("{path}.{field}"))?;
        }
    }
    if let Some(status) = &filter.status {
        push_enum(sql, "status", status.eq.map(status_name), status.ne.map(status_name));
    }
    if let Some(kind) = &filter.kind {
        push_enum(sql, "type", kind.eq.map(type_name), kind.ne.map(type_name));
    }
    if let Some(amount) = &filter.amount {
        push_amounts(sql, amount, &format!("{path}.amount"))?;
    }
    for (word, joiner, filters) in [("and", " AND ", &filter.and), ("or", " OR ", &filter.or)] {
        let Some(filters) = filters else { continue };
        sql.push(" AND (");
        sql.push(if word == "and" { "true" } else { "false" });
        for (i, inner) in filters.iter().enumerate() {
            sql.push(joiner);
            push_at(sql, inner, &format!("{path}.{word}[{i}]"), depth + 1)?;
        }
        sql.push(")");
    }
    if let Some(inner) = &filter.not {
        sql.push(" AND NOT ");
        push_at(sql, inner, &format!("{path}.not"), depth + 1)?;
    }
    sql.push(")");
    Ok(())
}

fn push_ids(sql: &mut QueryBuilder<Postgres>, column: &str, filter: &IdFilter, path: &str) -> Result<(), Invalid> {
    let parse = |id: &ID, op: &str| {
        id.parse::<uuid::Uuid>()
            .map_err(|_| Invalid::new(format!("{path}.{op}"), format!("{:?} is not an id", id.as_str())))
    };
    if let Some(id) = &filter.eq {
        sql.push(format_args!(" AND {column} = ")).push_bind(parse(id, "eq")?);
    }
    if let Some(id) = &filter.ne {
        sql.push(format_args!(" AND {column} IS DISTINCT FROM ")).push_bind(parse(id, "ne")?);
    }
    Ok(())
}

fn push_texts(
    sql: &mut QueryBuilder<Postgres>,
    column: &str,
    filter: &StringFilter,
    path: &str,
) -> Result<(), Invalid> {
    let comparisons = [("=", &filter.eq), ("<", &filter.lt), ("<=", &filter.le), (">", &filter.gt), (">=", &filter.ge)];
    for (op, value) in comparisons {
        if let Some(value) = value {
            sql.push(format_args!(" AND {column} {op} ")).push_bind(value.clone());
        }
    }
    if let Some(value) = &filter.ne {
        sql.push(format_args!(" AND {column} IS DISTINCT FROM ")).push_bind(value.clone());
    }
    if let Some(bounds) = &filter.between {
        let [low, high] = bounds.as_slice() else {
            return Err(Invalid::new(format!("{path}.between"), "takes two values: the lowest and the highest"));
        };
        sql.push(format_args!(" AND {column} BETWEEN ")).push_bind(low.clone()).push(" AND ").push_bind(high.clone());
    }
    if let Some(prefix) = &filter.begins_with {
        sql.push(format_args!(" AND {column} LIKE "))
            .push_bind(format!("{}%", escape_like(prefix)))
            .push(" ESCAPE '\\'");
    }
    if let Some(part) = &filter.contains {
        sql.push(format_args!(" AND {column} LIKE "))
            .push_bind(format!("%{}%", escape_like(part)))
            .push(" ESCAPE '\\'");
    }
    if let Some(part) = &filter.not_contains {
        sql.push(format_args!(" AND coalesce({column}, '') NOT LIKE "))
            .push_bind(format!("%{}%", escape_like(part)))
            .push(" ESCAPE '\\'");
    }
    Ok(())
}

fn push_enum(sql: &mut QueryBuilder<Postgres>, column: &str, eq: Option<&'static str>, ne: Option<&'static str>) {
    if let Some(value) = eq {
        sql.push(format_args!(" AND {column} = ")).push_bind(value);
    }
    if let Some(value) = ne {
        sql.push(format_args!(" AND {column} <> ")).push_bind(value);
    }
}

fn push_amounts(sql: &mut QueryBuilder<Postgres>, filter: &DecimalFilter, path: &str) -> Result<(), Invalid> {
    let comparisons = [
        ("=", &filter.eq),
        ("<>", &filter.ne),
        ("<", &filter.lt),
        ("<=", &filter.le),
        (">", &filter.gt),
        (">=", &filter.ge),
    ];
    for (op, value) in comparisons {
        if let Some(value) = value {
            sql.push(format_args!(" AND amount {op} ")).push_bind(value.0.clone()).push("::numeric");
        }
    }
    if let Some(bounds) = &filter.between {
        let [low, high] = bounds.as_slice() else {
            return Err(Invalid::new(format!("{path}.between"), "takes two values: the lowest and the highest"));
        };
        sql.push(" AND amount BETWEEN ")
            .push_bind(low.0.clone())
            .push("::numeric AND ")
            .push_bind(high.0.clone())
            .push("::numeric");
    }
    Ok(())
}

pub fn status_name(status: PaymentStatus) -> &'static str {
    match status {
        PaymentStatus::Pending => "PENDING",
        PaymentStatus::Approved => "APPROVED",
        PaymentStatus::Settled => "SETTLED",
        PaymentStatus::Rejected => "REJECTED",
        PaymentStatus::Cancelled => "CANCELLED",
        PaymentStatus::Failed => "FAILED",
    }
}

fn type_name(kind: PaymentType) -> &'static str {
    match kind {
        PaymentType::Domestic => "DOMESTIC",
        PaymentType::International => "INTERNATIONAL",
    }
}

/// `%`, `_` and `\` in a value are literal characters, not patterns.
fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sql_of(filter: &PaymentFilter) -> Result<String, Invalid> {
        let mut sql = QueryBuilder::new("");
        push(&mut sql, filter)?;
        Ok(sql.into_string())
    }

    #[test]
    fn values_are_bound_never_spliced() {
        let filter = PaymentFilter {
            message: Some(StringFilter { contains: Some("'; DROP TABLE payments; --".into()), ..Default::default() }),
            ..Default::default()
        };
        let sql = sql_of(&filter).unwrap();
        assert!(!sql.contains("DROP"), "{sql}");
        assert!(sql.contains("message LIKE $1"), "{sql}");
    }

    #[test]
    fn or_of_nothing_matches_nothing_and_nesting_is_bounded() {
        let sql = sql_of(&PaymentFilter { or: Some(vec![]), ..Default::default() }).unwrap();
        assert!(sql.contains("AND (false)"), "{sql}");
        let mut deep = PaymentFilter::default();
        for _ in 0..=MAX_NESTING {
            deep = PaymentFilter { not: Some(Box::new(deep)), ..Default::default() };
        }
        assert!(sql_of(&deep).is_err());
    }

    #[test]
    fn between_takes_two_values_and_ids_must_parse() {
        let filter = PaymentFilter {
            due_date: Some(StringFilter { between: Some(vec!["2025-01-01".into()]), ..Default::default() }),
            ..Default::default()
        };
        assert_eq!(sql_of(&filter).unwrap_err().field, "filter.dueDate.between");
        let filter = PaymentFilter { id: Some(IdFilter { eq: Some(ID::from("x")), ne: None }), ..Default::default() };
        assert_eq!(sql_of(&filter).unwrap_err().field, "filter.id.eq");
    }
}
