-- problem_readable() moves into the one query that used it (GET /problems/{slug}): an SQL
-- function holding a subquery is never inlined, so PostgreSQL planned its body again on every
-- call, and reads of a problem ran at 2.5x fewer per second.
DROP FUNCTION problem_readable(bigint, bigint, boolean);
