-- The languages a course or a contest expects beyond the five installed by default, each enabled
-- as soon as a judge finds its Debian toolchain (./gavel.sh languages installs the ones an
-- operator picks), and every language's version read from the toolchain itself.
--
-- installed    set by every judge at start: whether the files its commands name exist on that
--              host. Only enabled and installed languages are offered (GET /languages) and
--              accepted; a language whose toolchain is missing is refused by name.
-- version_argv a command the judge runs at start (outside any box: the host's own toolchain,
--              trusted) whose first line that is not a warning becomes `version`.
-- binds        host folders the language's tools read besides /usr, /bin and /lib, shown
--              read-only in the box at the same path (GHC's package database lives in /var).
--
-- Profiles: compiled languages whose programs make plain system calls (Go, Rust, Haskell, Free
-- Pascal, C++20) run under the native allow-list; interpreters and runtimes with a JIT (PyPy,
-- Ruby, Mono) under the interpreters' deny-list; Kotlin on the JVM under the JVM's. None has an
-- address-space limit: memory is the box's cgroup, so Go's, GHC's, Mono's and the JVM's large
-- reservations cost nothing until used.
--
-- Time limits, for a course's usual problem (the mission fixes C++ 1 s, Python 2 s, Java 3 s):
-- compiled to native code without a collector in the way, 1 s (C++20, Rust, Free Pascal); Go
-- and Haskell 2 s (their collectors' threads count in the CPU time, and Haskell's laziness
-- costs); PyPy 2 s and Ruby 2 s like Python; Kotlin 3 s like Java (the same JVM start); C# on
-- Mono 3 s (a JIT and a collector like the JVM's).
ALTER TABLE languages ADD COLUMN installed boolean NOT NULL DEFAULT true;
ALTER TABLE languages ADD COLUMN version_argv text[];
ALTER TABLE languages ADD COLUMN version_of text; -- the toolchain file it was read from, with its size and time
ALTER TABLE languages ADD COLUMN binds text[] NOT NULL DEFAULT '{}'
    CHECK (array_position(binds, NULL) IS NULL);
-- Languages sharing a source extension (C++17 and C++20, Python 3 and PyPy 3): a package's
-- submission main.py is judged in the one of lowest rank, then of first id.
ALTER TABLE languages ADD COLUMN extension_rank integer NOT NULL DEFAULT 0;

UPDATE languages SET name = 'C++17' WHERE id = 'cpp' AND name = 'C++';
UPDATE languages SET version_argv = ARRAY['/usr/bin/gcc', '--version'] WHERE id = 'c';
UPDATE languages SET version_argv = ARRAY['/usr/bin/g++', '--version'] WHERE id = 'cpp';
UPDATE languages SET version_argv = ARRAY['/usr/bin/python3', '--version'] WHERE id = 'python3';
UPDATE languages SET version_argv = ARRAY['/usr/bin/java', '-version'] WHERE id = 'java';
UPDATE languages SET version_argv = ARRAY['/usr/bin/node', '--version'] WHERE id = 'javascript';

-- Not installed until a judge finds the toolchain. Several files (110_source_files.sql): the
-- compilers that take every file get {files}; the others compile the entry file and find the
-- rest themselves (Rust's `mod`, GHC's imports, Free Pascal's units, Ruby's require_relative).
INSERT INTO languages (id, name, version, source_file, compile_argv, run_argv, sandbox_profile,
                       time_limit_ms, memory_limit_mb, compile_time_ms, compile_memory_mb,
                       installed, version_argv, binds, pch_header, pch_argv, source_exts,
                       extension_rank)
VALUES
    ('cpp20', 'C++20', '', 'main.cpp',
     ARRAY['/usr/bin/g++', '-O2', '-std=gnu++20', '-pipe', '-o', 'main', '{files}'],
     ARRAY['./main'], 'native', 1000, 256, 10000, 1024, false,
     ARRAY['/usr/bin/g++', '--version'], '{}', 'bits/stdc++.h',
     ARRAY['/usr/bin/g++', '-O2', '-std=gnu++20', '-pipe', '-x', 'c++-header', '-o', '{out}',
           '{header}'],
     ARRAY['.cpp', '.cc', '.cxx', '.c++', '.C'], 1),
    ('pypy3', 'PyPy 3', '', 'main.py',
     ARRAY['/usr/bin/pypy3', '-S', '-m', 'py_compile', '{files}'],
     ARRAY['/usr/bin/pypy3', '{src}'], 'python', 2000, 256, 10000, 1024, false,
     ARRAY['/usr/bin/pypy3', '-S', '-c',
           'import sys; print("PyPy %d.%d.%d, Python %s" % (sys.pypy_version_info[:3]'
           ' + (sys.version.split()[0],)))'], '{}', NULL, NULL,
     ARRAY['.py'], 1),
    ('go', 'Go', '', 'main.go',
     ARRAY['/usr/bin/env', 'GOCACHE=/tmp/go-cache', 'GOPATH=/tmp/go', 'GO111MODULE=off',
           'CGO_ENABLED=0', '/usr/bin/go', 'build', '-o', 'main', '{files}'],
     ARRAY['./main'], 'native', 2000, 256, 20000, 1024, false,
     ARRAY['/usr/bin/go', 'version'], '{}', NULL, NULL,
     ARRAY['.go'], 0),
    ('rust', 'Rust', '', 'main.rs',
     ARRAY['/usr/bin/rustc', '-O', '--edition', '2021', '-o', 'main', '{src}'],
     ARRAY['./main'], 'native', 1000, 256, 20000, 1024, false,
     ARRAY['/usr/bin/rustc', '--version'], '{}', NULL, NULL,
     ARRAY['.rs'], 0),
    ('kotlin', 'Kotlin', '', 'main.kt',
     ARRAY['/usr/bin/kotlinc', '-J-Xmx768m', '-nowarn', '{files}', '-include-runtime', '-d',
           'main.jar'],
     ARRAY['/usr/bin/java', '-Xmx{memory_mb}m', '-Xss64m', '-XX:+UseSerialGC', '-jar',
           'main.jar'], 'jvm', 3000, 256, 60000, 1536, false,
     ARRAY['/usr/bin/kotlinc', '-version'], '{}', NULL, NULL,
     ARRAY['.kt'], 0),
    ('csharp', 'C# (Mono)', '', 'main.cs',
     ARRAY['/usr/bin/mcs', '-optimize+', '-nologo', '-out:main.exe', '{files}'],
     ARRAY['/usr/bin/mono', 'main.exe'], 'python', 3000, 256, 20000, 1024, false,
     ARRAY['/usr/bin/mcs', '--version'], '{}', NULL, NULL,
     ARRAY['.cs'], 0),
    ('haskell', 'Haskell', '', 'main.hs',
     ARRAY['/usr/bin/ghc', '-O2', '-v0', '-o', 'main', '{src}'],
     ARRAY['./main'], 'native', 2000, 256, 30000, 1536, false,
     ARRAY['/usr/bin/ghc', '--version'], ARRAY['/var/lib/ghc'], NULL, NULL,
     ARRAY['.hs'], 0),
    ('pascal', 'Pascal (Free Pascal)', '', 'main.pas',
     ARRAY['/usr/bin/fpc', '-O2', '-v0', '-omain', '{src}'],
     ARRAY['./main'], 'native', 1000, 256, 10000, 1024, false,
     ARRAY['/usr/bin/fpc', '-iW'], '{}', NULL, NULL,
     ARRAY['.pas', '.pp'], 0),
    ('ruby', 'Ruby', '', 'main.rb',
     ARRAY['/usr/bin/ruby', '-c', '{src}'],
     ARRAY['/usr/bin/ruby', '{src}'], 'python', 2000, 256, 10000, 1024, false,
     ARRAY['/usr/bin/ruby', '--version'], '{}', NULL, NULL,
     ARRAY['.rb'], 0)
ON CONFLICT (id) DO NOTHING;
