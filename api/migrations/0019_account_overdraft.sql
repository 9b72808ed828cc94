-- Whether an account may go below zero (0016's `allow_overdraft`) is an account's setting that
-- people change through the api: a change is an edit (a new version), and, as a financial control,
-- only the tenant's admins and owners make it. Settlement opens clearing accounts with it; the
-- schema's owner (no api user) is not an api request.
CREATE OR REPLACE FUNCTION touch_account() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.name, NEW.number, NEW.status, NEW.parent_id, NEW.balance_minor, NEW.allow_overdraft)
        IS DISTINCT FROM (OLD.name, OLD.number, OLD.status, OLD.parent_id, OLD.balance_minor, OLD.allow_overdraft) THEN
        NEW.updated_at := now();
        NEW.version := OLD.version + 1;
    END IF;
    RETURN NEW;
END
$$;

CREATE FUNCTION guard_overdraft() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF (CASE TG_OP WHEN 'INSERT' THEN NEW.allow_overdraft ELSE NEW.allow_overdraft <> OLD.allow_overdraft END)
       AND app_user_id() IS NOT NULL AND coalesce(role_rank(app_role(NEW.tenant_id)), 0) < role_rank('admin') THEN
        RAISE EXCEPTION 'only admins and owners allow or refuse an overdraft' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER guard_overdraft BEFORE INSERT OR UPDATE OF allow_overdraft ON accounts
    FOR EACH ROW EXECUTE FUNCTION guard_overdraft();
