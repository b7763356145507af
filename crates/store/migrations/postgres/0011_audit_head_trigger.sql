-- The chain head's hash follows the event that holds the head's sequence number, in the inserting statement: an
-- audited write then makes one round trip fewer (the head is taken with `UPDATE … RETURNING`, the event inserted,
-- and this trigger moves the hash), and a batch of events moves it once, at its last event.
CREATE FUNCTION audit_events_head() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE audit_head SET hash = NEW.hash WHERE id = 1 AND seq = NEW.seq;
    RETURN NULL;
END;
$$;

CREATE TRIGGER audit_events_head AFTER INSERT ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_head();
