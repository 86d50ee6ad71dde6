-- Languages are data: commands and limits live here, not in the judge's code.
-- Command templates are argument vectors (never shell lines) with placeholders the judge fills:
--   {src}        the source file name inside the work folder (e.g. main.cpp, Main.java)
--   {name}       the source file name without its extension (the Java class name)
--   {memory_mb}  the memory limit of the run in MiB
CREATE TABLE languages (
    id                text PRIMARY KEY CHECK (id ~ '^[a-z0-9_+-]{1,16}$'),
    name              text NOT NULL,
    version           text NOT NULL DEFAULT '',
    source_file       text NOT NULL,
    compile_argv      text[],            -- NULL: nothing to compile
    run_argv          text[] NOT NULL,
    sandbox_profile   text NOT NULL CHECK (sandbox_profile IN ('native', 'python', 'jvm')),
    time_limit_ms     integer NOT NULL CHECK (time_limit_ms BETWEEN 1 AND 60000),
    memory_limit_mb   integer NOT NULL DEFAULT 256 CHECK (memory_limit_mb BETWEEN 1 AND 8192),
    compile_time_ms   integer NOT NULL DEFAULT 10000,
    compile_memory_mb integer NOT NULL DEFAULT 1024,
    enabled           boolean NOT NULL DEFAULT true
);

INSERT INTO languages (id, name, version, source_file, compile_argv, run_argv, sandbox_profile,
                       time_limit_ms, memory_limit_mb) VALUES
    ('c', 'C', 'gcc 12, gnu17', 'main.c',
     ARRAY['/usr/bin/gcc', '-O2', '-std=gnu17', '-pipe', '-o', 'main', '{src}', '-lm'], ARRAY['./main'], 'native', 1000, 256),
    ('cpp', 'C++', 'g++ 12, gnu++17', 'main.cpp',
     ARRAY['/usr/bin/g++', '-O2', '-std=gnu++17', '-pipe', '-o', 'main', '{src}'], ARRAY['./main'], 'native', 1000, 256),
    ('python3', 'Python 3', '3.11', 'main.py',
     ARRAY['/usr/bin/python3', '-S', '-m', 'py_compile', '{src}'], ARRAY['/usr/bin/python3', '{src}'], 'python', 2000, 256),
    ('java', 'Java', 'OpenJDK 17', 'Main.java',
     ARRAY['/usr/bin/javac', '-J-Xms32m', '-J-Xmx512m', '-encoding', 'UTF-8', '{src}'],
     ARRAY['/usr/bin/java', '-Xmx{memory_mb}m', '-Xss64m', '-XX:+UseSerialGC', '{name}'],
     'jvm', 3000, 256);
