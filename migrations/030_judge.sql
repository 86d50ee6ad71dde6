-- Judge support: precompiled headers for languages that have them, and a queue order index.
--
-- pch_header names a header that most solutions include first (C++: <bits/stdc++.h>). The judge
-- builds it once per host into its cache with pch_argv, a command template like compile_argv
-- with two more placeholders: {header} (the header file to compile) and {out} (the .gch to
-- write). The flags must match compile_argv exactly, or the compiler ignores the result.
ALTER TABLE languages ADD COLUMN pch_header text;
ALTER TABLE languages ADD COLUMN pch_argv text[];
ALTER TABLE languages ADD CHECK ((pch_header IS NULL) = (pch_argv IS NULL));

UPDATE languages SET pch_header = 'bits/stdc++.h',
                     pch_argv = ARRAY['/usr/bin/g++', '-O2', '-std=gnu++17', '-pipe',
                                      '-x', 'c++-header', '-o', '{out}', '{header}']
 WHERE id = 'cpp';

-- Leases that ran out are found by this index, not by a scan of the record.
CREATE INDEX submissions_lease ON submissions (lease_expires_at) WHERE status = 'judging';
CREATE INDEX runs_lease ON runs (lease_expires_at) WHERE status = 'judging';
