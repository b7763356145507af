-- Vault, duty and custody: duty rosters, leave, keys and codes, guns and ammunition, vans and escort trips.
-- Every table here is audited row by row (the audit trail hashes each row after every write).

-- A PIN a person sets to confirm, as the second of two people, on someone else's device (SYS-2).
ALTER TABLE accounts ADD COLUMN confirm_pin_hash TEXT;

-- Leave (请假): a person on leave may not be put on the duty roster.
CREATE TABLE staff_leaves (
    id INTEGER PRIMARY KEY,
    staff_id INTEGER NOT NULL REFERENCES staff(id),
    from_day INTEGER NOT NULL,
    to_day INTEGER NOT NULL,
    reason TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    created_by INTEGER REFERENCES accounts(id)
);
CREATE INDEX staff_leaves_staff ON staff_leaves(staff_id, from_day);

-- The vault duty roster: per vault, per day (night), the two guards.
CREATE TABLE duty_shifts (
    id INTEGER PRIMARY KEY,
    asset_id INTEGER NOT NULL REFERENCES assets(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    day INTEGER NOT NULL,
    guard_a INTEGER NOT NULL REFERENCES staff(id),
    guard_b INTEGER NOT NULL REFERENCES staff(id),
    holiday INTEGER NOT NULL,
    saved_at INTEGER NOT NULL,
    saved_by INTEGER REFERENCES accounts(id),
    UNIQUE (asset_id, day)
);
CREATE INDEX duty_shifts_unit ON duty_shifts(unit_id, day);

-- A swap replaces one guard of a shift, and only once the outlet head approves it (第十四条).
CREATE TABLE duty_swaps (
    id INTEGER PRIMARY KEY,
    shift_id INTEGER NOT NULL REFERENCES duty_shifts(id),
    out_staff INTEGER NOT NULL REFERENCES staff(id),
    in_staff INTEGER NOT NULL REFERENCES staff(id),
    reason TEXT NOT NULL,
    status TEXT NOT NULL,
    requested_by INTEGER NOT NULL REFERENCES accounts(id),
    requested_at INTEGER NOT NULL,
    decided_by INTEGER REFERENCES accounts(id),
    decided_at INTEGER
);
CREATE INDEX duty_swaps_shift ON duty_swaps(shift_id);

-- Keys, codes and self-defence weapons, each held by one named person (VAULT-4, VAULT-6, ARMS-4).
CREATE TABLE custody_items (
    id INTEGER PRIMARY KEY,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    asset_id INTEGER REFERENCES assets(id),
    kind TEXT NOT NULL,
    label TEXT NOT NULL,
    holder_id INTEGER REFERENCES staff(id),
    status TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX custody_items_unit ON custody_items(unit_id);
CREATE INDEX custody_items_asset ON custody_items(asset_id);

-- Every change of holder, confirmed by both people.
CREATE TABLE custody_handovers (
    id INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES custody_items(id),
    from_staff INTEGER REFERENCES staff(id),
    to_staff INTEGER NOT NULL REFERENCES staff(id),
    from_account INTEGER REFERENCES accounts(id),
    to_account INTEGER REFERENCES accounts(id),
    note TEXT,
    at INTEGER NOT NULL
);
CREATE INDEX custody_handovers_item ON custody_handovers(item_id, at);

-- A lost key or code opens a lock change; until it is done the vault cannot pass its custody check (VAULT-6).
CREATE TABLE lock_changes (
    id INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES custody_items(id),
    asset_id INTEGER REFERENCES assets(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    reason TEXT NOT NULL,
    opened_at INTEGER NOT NULL,
    opened_by INTEGER REFERENCES accounts(id),
    done_at INTEGER,
    done_by INTEGER REFERENCES accounts(id),
    done_note TEXT
);
CREATE INDEX lock_changes_asset ON lock_changes(asset_id);

-- Guns and ammunition lots (ARMS-1); a lot names the gun it serves, and is kept in another cabinet by another person.
CREATE TABLE arms (
    id INTEGER PRIMARY KEY,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    kind TEXT NOT NULL,
    label TEXT NOT NULL,
    serial TEXT NOT NULL,
    rounds INTEGER NOT NULL,
    cabinet_id INTEGER NOT NULL REFERENCES assets(id),
    keeper_id INTEGER NOT NULL REFERENCES staff(id),
    gun_id INTEGER REFERENCES arms(id),
    status TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (kind, serial)
);
CREATE INDEX arms_unit ON arms(unit_id);

-- A checkout: requested → approved by someone else → issued (keeper and receiver both sign in) → returned.
CREATE TABLE arms_checkouts (
    id INTEGER PRIMARY KEY,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    gun_id INTEGER NOT NULL REFERENCES arms(id),
    ammo_id INTEGER REFERENCES arms(id),
    rounds_out INTEGER NOT NULL,
    purpose TEXT NOT NULL,
    requester_id INTEGER NOT NULL REFERENCES staff(id),
    requested_by INTEGER NOT NULL REFERENCES accounts(id),
    requested_at INTEGER NOT NULL,
    status TEXT NOT NULL,
    approver_id INTEGER REFERENCES staff(id),
    decided_by INTEGER REFERENCES accounts(id),
    decided_at INTEGER,
    decision_note TEXT,
    issuer_id INTEGER REFERENCES staff(id),
    issued_at INTEGER,
    returned_at INTEGER,
    rounds_back INTEGER,
    return_note TEXT,
    discrepancy INTEGER NOT NULL
);
CREATE INDEX arms_checkouts_unit ON arms_checkouts(unit_id, status);

-- Vans (ESC-1): only a registered, dedicated armoured van may carry cash.
CREATE TABLE vans (
    id INTEGER PRIMARY KEY,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    plate TEXT NOT NULL UNIQUE,
    model TEXT NOT NULL,
    dedicated_armoured INTEGER NOT NULL,
    active INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);

-- An escort trip: van, crew with their kit (JSON), the outlets it stops at in order (JSON), and its state.
CREATE TABLE escort_trips (
    id INTEGER PRIMARY KEY,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    van_id INTEGER NOT NULL REFERENCES vans(id),
    day INTEGER NOT NULL,
    route TEXT NOT NULL,
    crew TEXT NOT NULL,
    stops TEXT NOT NULL,
    status TEXT NOT NULL,
    created_by INTEGER REFERENCES accounts(id),
    created_at INTEGER NOT NULL,
    departed_at INTEGER,
    closed_at INTEGER
);
CREATE INDEX escort_trips_unit ON escort_trips(unit_id, day);

-- Each cash box to deliver or collect at a stop; handed over with both sides signed in (双向交接).
CREATE TABLE escort_boxes (
    id INTEGER PRIMARY KEY,
    trip_id INTEGER NOT NULL REFERENCES escort_trips(id),
    stop_unit_id INTEGER NOT NULL REFERENCES units(id),
    box_no TEXT NOT NULL,
    direction TEXT NOT NULL,
    crew_staff INTEGER REFERENCES staff(id),
    outlet_staff INTEGER REFERENCES staff(id),
    handed_at INTEGER
);
CREATE INDEX escort_boxes_trip ON escort_boxes(trip_id);

-- Events on the way, each against a case of the emergency plan (预案 第十九–二十五条).
CREATE TABLE escort_events (
    id INTEGER PRIMARY KEY,
    trip_id INTEGER NOT NULL REFERENCES escort_trips(id),
    kind TEXT NOT NULL,
    at INTEGER NOT NULL,
    note TEXT NOT NULL,
    police_verified INTEGER NOT NULL,
    recorded_by INTEGER REFERENCES accounts(id)
);
CREATE INDEX escort_events_trip ON escort_events(trip_id);
