"""Data-quality gate "đúng, đủ, sạch, sống": checks as data over a one-row profile of each run."""
