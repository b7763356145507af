-- Where a session was opened from (the client's address as the server saw it, or as the trusted proxy reported it),
-- so a person listing their sessions and tokens can tell theirs from someone else's, and revocation can name one.
ALTER TABLE sessions ADD COLUMN client_ip TEXT;
-- Keys of the secrets the server keeps for itself (the audit trail's credential digest key); never shown by a page.
CREATE TABLE server_keys (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT INTO server_keys (name, value) VALUES ('audit_credential_digest', lower(hex(randomblob(32))));
