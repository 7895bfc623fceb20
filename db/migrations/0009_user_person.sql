-- An account may stand for a person of the member register (a member signing in to keep
-- their own profile). The register arrives with the members module; until then the link
-- is empty, and the foreign key is added with the table it points to.
ALTER TABLE app_user ADD COLUMN person_id BIGINT;
