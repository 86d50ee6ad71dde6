-- A fingerprint of the package a problem was imported from: importing the same package again
-- changes nothing (no new version, so judges keep their caches). NULL for problems saved
-- through the JSON API, where every PUT is a new version.
ALTER TABLE problems ADD COLUMN content_hash text;
