-- An Owner's compliance override travels with the message to its delivery:
-- the send job re-checks every message with the gate just before the vendor
-- request (domain/gate.h), on the Owner's behalf when the request was
-- overridden, and the override then passes only the rules it passed at the
-- request. NULL: no override.
ALTER TABLE sms_messages ADD COLUMN override_by TEXT;     -- the Owner's user id
ALTER TABLE sms_messages ADD COLUMN override_rules TEXT;  -- the rules overridden, comma-separated (dnc_list,consent)
