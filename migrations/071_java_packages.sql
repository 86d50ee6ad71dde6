-- Java sources that declare a package (`package x.y;`, as IDEs write them) are compiled into
-- their package folder and run by their full name. With -d . javac writes x/y/Main.class for
-- them, and Main.class in the work folder as before for sources without a package; the judge
-- gives {name} as the class to run, qualified by the package (x.y.Main).
--
-- Only a java row that does not already choose its output folder is changed; -d goes just
-- before the source.
UPDATE languages
   SET compile_argv = compile_argv[:array_position(compile_argv, '{src}') - 1]
                      || ARRAY['-d', '.']
                      || compile_argv[array_position(compile_argv, '{src}'):]
 WHERE id = 'java'
   AND array_position(compile_argv, '{src}') IS NOT NULL
   AND array_position(compile_argv, '-d') IS NULL;
