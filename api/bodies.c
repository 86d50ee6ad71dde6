/* bodies.c: decoding of the request bodies of the problem, user, submission and run routes. */
