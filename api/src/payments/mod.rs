//! Payments: between an organisation's accounts or out to a counterparty, in integer minor units,
//! with statuses, dual control and idempotency keys, served over GraphQL as AppSync served the seed's.
//!
//! - [`resolvers`]: the GraphQL fields; [`service`]: the rules; [`store`]: the SQL;
//!   [`model`]: the shapes and input rules; [`money`]; [`filter`]: `listPayments`' filter;
//!   [`settlement`]: the worker that settles due payments; [`events`] and [`subscriptions`]: changes
//!   as they happen, to every api instance's subscribers.
//! - Storage, isolation, approval and the life of a payment: `api/migrations/0015_payments.sql`;
//!   the ledger and settlement: `0016_ledger.sql`; the announcements of changes: `0017_payment_events.sql`.

pub mod events;
pub mod filter;
pub mod model;
pub mod money;
pub mod resolvers;
pub mod service;
pub mod settlement;
pub mod store;
pub mod subscriptions;
