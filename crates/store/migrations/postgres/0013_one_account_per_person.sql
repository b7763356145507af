-- At most one account in use per staff record: two people can never share one, and one person cannot sign in as two
-- (the two-person rules compare people through this link). A disabled account may stay beside a new one.
CREATE UNIQUE INDEX accounts_one_active_per_staff ON accounts (staff_id) WHERE staff_id IS NOT NULL AND disabled = 0;
