-- Every table of the product carries created_at, updated_at and a version counter (for ETags and
-- optimistic concurrency). This trigger function keeps the last two right on each UPDATE, so no
-- code path can forget them.
CREATE FUNCTION touch_row() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    NEW.version := OLD.version + 1;
    RETURN NEW;
END
$$;
