-- Fewer statements per request of the REST api, for the server to plan, start and answer.

-- begin_request opens every request: the same checks and settings as in 0004, in one query where 0004
-- ran four. An assignment whose expression reads no table is evaluated by PL/pgSQL itself, while each
-- PERFORM or SELECT starts a query; and the sign-in is checked in the same query that reads the
-- caller's tenants (under the tenant_members policy, so app.user_id is set first, and unset again when
-- the sign-in has ended).
CREATE OR REPLACE FUNCTION begin_request(caller uuid, read_all boolean, sign_in uuid) RETURNS uuid[]
LANGUAGE plpgsql AS $$
DECLARE
    live boolean;
    tenants uuid[];
    previous text;
BEGIN
    previous := set_config('app.user_id', caller::text, true);
    previous := set_config('app.read_all', read_all::text, true);
    SELECT sign_in IS NULL OR EXISTS (
               SELECT 1 FROM refresh_tokens t JOIN users u USING (pool_id, username)
               WHERE t.origin_jti = sign_in AND t.revoked_at IS NULL AND u.enabled AND u.sub = caller
           ),
           ARRAY(SELECT tenant_id FROM tenant_members WHERE user_id = caller ORDER BY created_at, tenant_id)
    INTO live, tenants;
    IF NOT live THEN
        previous := set_config('app.user_id', '', true);
        previous := set_config('app.read_all', '', true);
        RETURN NULL;
    END IF;
    previous := set_config('app.tenant_ids', tenants::text, true);
    RETURN tenants;
END
$$;

-- A page of the children of `parent` as the caller, in one statement (so one transaction): the
-- request a tree makes most, each time a node is expanded. It opens the request as begin_request does,
-- then reads under the same policies. Errors: LL401 when the sign-in has ended (revoked, or the user
-- disabled or deleted), LL404 when the page is empty because the caller cannot see `parent`.
CREATE FUNCTION request_children(
    caller uuid, read_all boolean, sign_in uuid, parent uuid, after_name text, after_id uuid, page_size bigint
) RETURNS SETOF accounts
LANGUAGE plpgsql AS $$
BEGIN
    IF begin_request(caller, read_all, sign_in) IS NULL THEN
        RAISE EXCEPTION 'the sign-in has ended' USING ERRCODE = 'LL401';
    END IF;
    RETURN QUERY SELECT * FROM accounts
        WHERE parent_id = parent AND (after_name IS NULL OR (name, id) > (after_name, after_id))
        ORDER BY name, id LIMIT page_size;
    IF NOT FOUND AND NOT EXISTS (SELECT 1 FROM accounts WHERE id = parent) THEN
        RAISE EXCEPTION 'no such account' USING ERRCODE = 'LL404';
    END IF;
END
$$;
