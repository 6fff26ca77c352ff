-- Tracking numbers get their own forward_to column (E.164 or NULL). Until now
-- store/numbers.c packed it with the hours into the hours column as
-- {"hours": <hours>, "forwardTo": <e164 or null>}; such rows are unpacked here.
ALTER TABLE tracking_numbers ADD COLUMN forward_to TEXT;

UPDATE tracking_numbers
SET forward_to = json_extract(hours, '$.forwardTo'),
    hours = CASE WHEN json_type(hours, '$.hours') = 'null' THEN NULL ELSE hours -> '$.hours' END
WHERE json_valid(hours) AND json_type(hours) = 'object'
  AND (SELECT count(*) FROM json_each(tracking_numbers.hours)) = 2
  AND json_type(hours, '$.hours') IS NOT NULL
  AND json_type(hours, '$.forwardTo') IN ('text', 'null');
