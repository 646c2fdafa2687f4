"""Domain rules of the population register: ID numbers, provinces, names, dates, genders."""
