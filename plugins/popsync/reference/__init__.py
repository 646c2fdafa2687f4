"""Mirror of the population register in the warehouse."""
