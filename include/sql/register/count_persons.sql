-- How many persons the population register holds (the mirror must hold as many). No parameters.
SELECT count(*) AS row_count
FROM dan_cu.persons AS persons;
