-- An account's payments, newest first, straight from an index: `listPayments` filtered on an
-- account reads its page's rows and no more, instead of every payment of the account and a sort.
-- They replace the (tenant_id, account) indexes, whose work (the foreign keys' checks) they do too.
CREATE INDEX payments_from_newest ON payments (tenant_id, from_account_id, created_at DESC, id DESC);
CREATE INDEX payments_to_newest ON payments (tenant_id, to_account_id, created_at DESC, id DESC);
DROP INDEX payments_from;
DROP INDEX payments_to;
