-- Submissions and runs of several files: a Java project with packages in folders, C and C++
-- with headers, Python and JavaScript with modules.
--
-- `files` holds them as a JSON array of {"name": "lib/util.h", "content": "..."} in the order
-- given, names already checked (plain relative paths; see common/source_name.h); `source` is
-- then '' and unused. A one-file submission keeps `source` and a NULL `files`, as before.
ALTER TABLE submissions ADD COLUMN files jsonb;
ALTER TABLE runs ADD COLUMN files jsonb;
ALTER TABLE package_solutions ADD COLUMN files jsonb;

-- The extensions of a language's source files, the ones the judge hands to the compiler in
-- place of the new {files} placeholder (an argument that is exactly "{files}" becomes one
-- argument per source file, in byte order of their names), and among which it picks the entry
-- file ({src}). NULL: the extension of source_file alone. The extensions are those Kattis
-- compiles for each language.
ALTER TABLE languages ADD COLUMN source_exts text[];
UPDATE languages SET source_exts = ARRAY['.c'] WHERE id = 'c';
UPDATE languages SET source_exts = ARRAY['.cpp', '.cc', '.cxx', '.c++', '.C'] WHERE id = 'cpp';
UPDATE languages SET source_exts = ARRAY['.py'] WHERE id = 'python3';
UPDATE languages SET source_exts = ARRAY['.java'] WHERE id = 'java';
UPDATE languages SET source_exts = ARRAY['.js'] WHERE id = 'javascript';

-- C and C++ compile every source file, javac every .java, py_compile every .py (so that a
-- syntax error in any module is CE naming its file). With one file {files} is {src}: nothing
-- changes for one-file submissions. `node --check` takes one script: it checks the entry file.
UPDATE languages SET compile_argv = array_replace(compile_argv, '{src}', '{files}')
 WHERE id IN ('c', 'cpp', 'java', 'python3') AND array_position(compile_argv, '{src}') IS NOT NULL;
