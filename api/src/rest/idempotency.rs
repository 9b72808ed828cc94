//! `Idempotency-Key` on the REST api's POSTs, with the IETF httpapi draft's semantics
//! (draft-ietf-httpapi-idempotency-key-header): a request repeated with its key gets the first
//! request's answer and makes nothing again; the key reused with other input is a 422; a request
//! that arrives while the first is still running waits for it, then gets its answer. Keys are the
//! caller's own and kept at least 24 hours. Only answers that made something are kept: a request
//! that failed changed nothing, so its retry runs again.

use axum::{
    body::{Body, to_bytes},
    extract::FromRequestParts,
    http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, request::Parts},
    response::Response,
};
use serde::Serialize;
use uuid::Uuid;

use super::problem::{FieldError, Problem, RestResult};
use crate::{
    auth::Caller,
    db::RequestTx,
    idempotency::{self, Key},
};

pub const HEADER: &str = "Idempotency-Key";

/// The request's `Idempotency-Key` (optional), and what names the operation beside its body.
pub struct IdempotencyKey(Option<(Key, Method, String)>);

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Problem> {
        let Some(value) = parts.headers.get(HEADER) else { return Ok(Self(None)) };
        let key = value.to_str().map_err(|_| "must be printable ASCII").and_then(|text| Key::new(unquoted(text)));
        let key = key.map_err(|message| Problem::validation(vec![FieldError::new(HEADER, message)]))?;
        Ok(Self(Some((key, parts.method.clone(), parts.uri.path().to_owned()))))
    }
}

/// The key of a Structured Field string (`"..."`, as the draft sends it), or the value as it is.
fn unquoted(text: &str) -> &str {
    let inner = text.strip_prefix('"').and_then(|inner| inner.strip_suffix('"'));
    inner.filter(|inner| !inner.is_empty()).unwrap_or(text)
}

impl IdempotencyKey {
    /// The request this key must keep naming: its method, its path and its parsed `body`.
    pub fn of(self, body: &impl Serialize) -> Idempotent {
        Idempotent(self.0.map(|(key, method, path)| {
            let fingerprint = idempotency::fingerprint(&(method.as_str(), path, body));
            (key, fingerprint)
        }))
    }
}

/// A request with its key (if any) and fingerprint, to [`claim`](Idempotent::claim).
pub struct Idempotent(Option<(Key, Vec<u8>)>);

/// Whether the request runs: the first with its key (or one without a key) does; a repeat gets
/// the first one's answer.
pub enum Use {
    First(Claim),
    Repeat(Response),
}

/// The key claimed by this request, in its transaction: [`Claim::commit`] keeps the answer with it.
pub struct Claim(Option<(Uuid, Key)>);

impl Idempotent {
    /// Claims the key in the request's transaction, before anything is written: a concurrent
    /// request with the same key waits here for this transaction to end; a request whose
    /// transaction rolls back leaves no key.
    pub async fn claim(self, tx: &mut RequestTx, caller: &Caller) -> RestResult<Use> {
        let Some((key, fingerprint)) = self.0 else { return Ok(Use::First(Claim(None))) };
        let Some(first) = claim(tx, caller.user_id, &key, &fingerprint).await? else {
            return Ok(Use::First(Claim(Some((caller.user_id, key)))));
        };
        if first.request_hash != fingerprint {
            return Err(Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency-key-reused",
                "Idempotency key reused",
                idempotency::mismatch(&key),
            ));
        }
        first.response().map(Use::Repeat)
    }
}

impl Claim {
    /// Keeps `response` as the key's answer and commits the request's transaction.
    pub async fn commit(self, mut tx: RequestTx, response: Response) -> RestResult<Response> {
        let Claim(Some((user, key))) = self else {
            tx.commit().await?;
            return Ok(response);
        };
        let (parts, body) = response.into_parts();
        let body = to_bytes(body, usize::MAX).await.map_err(|_| Problem::internal())?;
        let headers: Vec<(&str, &str)> =
            parts.headers.iter().filter_map(|(name, value)| Some((name.as_str(), value.to_str().ok()?))).collect();
        sqlx::query(
            "UPDATE rest_idempotency_keys SET status = $3, headers = $4, body = $5 WHERE user_id = $1 AND key = $2",
        )
        .bind(user)
        .bind(key.as_str())
        .bind(i16::try_from(parts.status.as_u16()).map_err(|_| Problem::internal())?)
        .bind(sqlx::types::Json(headers))
        .bind(body.as_ref())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Response::from_parts(parts, Body::from(body)))
    }
}

/// The first request's fingerprint and answer.
#[derive(sqlx::FromRow)]
struct FirstUse {
    request_hash: Vec<u8>,
    status: i16,
    headers: sqlx::types::Json<Vec<(String, String)>>,
    body: Vec<u8>,
}

impl FirstUse {
    fn response(self) -> RestResult<Response> {
        let mut response = Response::new(Body::from(self.body));
        *response.status_mut() = u16::try_from(self.status)
            .ok()
            .and_then(|status| StatusCode::from_u16(status).ok())
            .ok_or_else(Problem::internal)?;
        let headers: &mut HeaderMap = response.headers_mut();
        for (name, value) in self.headers.0 {
            let name = HeaderName::try_from(name).map_err(|_| Problem::internal())?;
            headers.append(name, HeaderValue::try_from(value).map_err(|_| Problem::internal())?);
        }
        Ok(response)
    }
}

/// Claims `key` for this request; or, when it was used before, answers that use (waiting, if its
/// transaction is still open, for it to end).
async fn claim(tx: &mut RequestTx, user: Uuid, key: &Key, fingerprint: &[u8]) -> sqlx::Result<Option<FirstUse>> {
    let claimed = sqlx::query(
        "INSERT INTO rest_idempotency_keys (user_id, key, request_hash) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
    )
    .bind(user)
    .bind(key.as_str())
    .bind(fingerprint)
    .execute(&mut **tx)
    .await?;
    if claimed.rows_affected() == 1 {
        return Ok(None);
    }
    sqlx::query_as(
        "SELECT request_hash, status, headers, body FROM rest_idempotency_keys WHERE user_id = $1 AND key = $2",
    )
    .bind(user)
    .bind(key.as_str())
    .fetch_one(&mut **tx)
    .await
    .map(Some)
}
