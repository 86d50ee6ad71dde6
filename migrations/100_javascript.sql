-- JavaScript on Node.js, the language the code-execution platforms Gavel is measured against
-- offer beside C++, Java and Python. `node --check` is its compile step: a syntax error is CE
-- with Node's message, before any test runs. V8's own heap cap is set far above any memory
-- limit (8 GiB, the most a language may have) so that the box's cgroup, not V8, stops a program
-- that takes too much: an OOM kill in the box is MLE, while V8 giving up first would be an
-- abort, RE. The interpreter profile's deny-list fits Node (threads, JIT, epoll; io_uring is
-- refused and libuv falls back). 2 s like Python: Node starts in tens of milliseconds but its
-- JIT warms up as the program runs.
INSERT INTO languages (id, name, version, source_file, compile_argv, run_argv, sandbox_profile,
                       time_limit_ms, memory_limit_mb, compile_time_ms, compile_memory_mb)
VALUES ('javascript', 'JavaScript', 'Node.js', 'main.js',
        ARRAY['/usr/bin/node', '--check', '{src}'],
        ARRAY['/usr/bin/node', '--max-old-space-size=8192', '--stack-size=65500', '{src}'],
        'python', 2000, 256, 10000, 1024)
ON CONFLICT (id) DO NOTHING;
