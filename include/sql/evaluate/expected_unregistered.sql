-- The deaths of one dataset the register should have and does not (ground truth, ADBC).
-- Inputs: $1 dataset (text).
SELECT truth.national_id
FROM ground_truth.unregistered_deaths AS truth
WHERE truth.dataset = $1
