"""Data-quality gate with Great Expectations: "đúng, đủ, sạch, sống"."""
