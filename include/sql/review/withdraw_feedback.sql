-- A new verdict withdraws the record's feedback to the register that is not exported yet.
-- Inputs: %(sector)s, %(dataset)s, %(source_key)s text.
UPDATE sync.register_feedback AS feedback SET status = 'withdrawn'
WHERE feedback.sector = %(sector)s AND feedback.dataset = %(dataset)s AND feedback.source_key = %(source_key)s
  AND feedback.status = 'pending';
