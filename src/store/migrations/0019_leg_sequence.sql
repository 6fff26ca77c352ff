-- The SequenceNumber of the last status callback applied to a click-to-call
-- leg. Twilio numbers a call's status callbacks in the order it fired them
-- (from 0) but posts each as its own request, so they may arrive out of
-- order: one numbered at or below this changes nothing (domain/inbound.c).
ALTER TABLE call_legs ADD COLUMN vendor_seq BIGINT;
