-- Sources that are not UTF-8 text (a comment in Latin-1, say), sent in base64: source_bytes
-- holds their exact bytes, which the judge compiles, and source a text copy for reading and
-- display, each byte that is not UTF-8 read as U+FFFD. NULL: source is exact, as before.
-- A file of a submission of several files that is not UTF-8 keeps its exact bytes the same way,
-- as "content_base64" beside its "content" in the files array.
ALTER TABLE submissions ADD COLUMN source_bytes bytea;
ALTER TABLE runs ADD COLUMN source_bytes bytea;
