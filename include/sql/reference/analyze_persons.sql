-- Fresh planner statistics for the register mirror after a full reload. No parameters.
ANALYZE reference.persons;
