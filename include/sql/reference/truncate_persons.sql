-- Empty the register mirror before a full reload (in the reload's transaction). No parameters.
TRUNCATE reference.persons;
