-- Config revisions stay immutable, with one exception: the dashboard seals the VRRP secrets that
-- older versions stored in clear (services/spec-secrets.ts sealStoredSecrets). An UPDATE is allowed
-- only when it changes nothing but the `spec` column, the spec is the same once every password and
-- auth_hmac key value is set aside, and every such value in the new spec is sealed. Anything else
-- is refused as before.

-- The spec with each instance's VRRP password and auth_hmac key values taken out.
CREATE FUNCTION keepwatch_spec_without_secrets(s jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN jsonb_typeof(s -> 'vrrpInstances') = 'array' THEN jsonb_set(s, '{vrrpInstances}', COALESCE((
    SELECT jsonb_agg(
      CASE WHEN jsonb_typeof(x.i -> 'authHmac' -> 'keys') = 'array'
        THEN jsonb_set(x.i, '{authHmac,keys}',
          (SELECT COALESCE(jsonb_agg(k - 'hex' ORDER BY n), '[]'::jsonb)
             FROM jsonb_array_elements(x.i -> 'authHmac' -> 'keys') WITH ORDINALITY AS kk(k, n)))
        ELSE x.i END ORDER BY x.ord)
    FROM (SELECT e.i #- '{authentication,password}' AS i, e.ord
            FROM jsonb_array_elements(s -> 'vrrpInstances') WITH ORDINALITY AS e(i, ord)) x
  ), '[]'::jsonb)) ELSE s END
$$;

-- True when the spec holds a password or auth_hmac key value that is not sealed.
CREATE FUNCTION keepwatch_spec_has_plain_secret(s jsonb) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_path_exists(s,
    '$.vrrpInstances[*] ? (exists(@.authentication.password ? (!(@ starts with "kwsealed:v1:"))) || exists(@.authHmac.keys[*].hex ? (!(@ starts with "kwsealed:v1:"))))')
$$;

CREATE FUNCTION keepwatch_revision_seal_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (to_jsonb(NEW) - 'spec') = (to_jsonb(OLD) - 'spec')
     AND keepwatch_spec_without_secrets(NEW.spec) = keepwatch_spec_without_secrets(OLD.spec)
     AND NOT keepwatch_spec_has_plain_secret(NEW.spec) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;

DROP TRIGGER "ConfigRevision_immutable" ON "ConfigRevision";
CREATE TRIGGER "ConfigRevision_immutable" BEFORE UPDATE ON "ConfigRevision"
  FOR EACH ROW EXECUTE FUNCTION keepwatch_revision_seal_only();
