-- Ready for sharding by tenant (Citus, Aurora Limitless): a tenant-scoped table keeps tenant_id in
-- its primary key, unique constraints and foreign keys (tests/schema.rs holds every table to it).
-- Accounts were the one table keyed by id alone; their (tenant_id, id) becomes the primary key. The
-- foreign keys that referenced the unique (tenant_id, id) constraint are made again, with the same
-- names (the api maps them to problems), on the new key.
ALTER TABLE accounts DROP CONSTRAINT accounts_pkey;
ALTER TABLE accounts ADD CONSTRAINT accounts_pkey PRIMARY KEY (tenant_id, id);
ALTER TABLE accounts DROP CONSTRAINT accounts_tenant_id_id_key CASCADE;
ALTER TABLE accounts ADD CONSTRAINT accounts_tenant_id_parent_id_fkey
    FOREIGN KEY (tenant_id, parent_id) REFERENCES accounts (tenant_id, id);
ALTER TABLE payments
    ADD CONSTRAINT payments_tenant_id_from_account_id_fkey
        FOREIGN KEY (tenant_id, from_account_id) REFERENCES accounts (tenant_id, id),
    ADD CONSTRAINT payments_tenant_id_to_account_id_fkey
        FOREIGN KEY (tenant_id, to_account_id) REFERENCES accounts (tenant_id, id);
ALTER TABLE ledger_entries ADD CONSTRAINT ledger_entries_tenant_id_account_id_fkey
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id);
-- The tree's triggers and getAccount find an account by its id (a random UUID) alone.
CREATE INDEX accounts_by_id ON accounts (id);
