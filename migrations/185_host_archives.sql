-- Host archives: archive_argv is a command the judge runs once per host (per language, command
-- and toolchain version), outside the sandbox, in an empty folder of its cache, as it builds
-- precompiled headers with pch_argv: the compiler is the system's and the input fixed here,
-- nothing a user wrote. What the command leaves in the folder is shown read-only at /archive
-- in the boxes of the language's compiles and runs, and {archive} in compile_argv and run_argv
-- names that folder. An argument holding {archive} is left out while the host has none (its
-- build failed): correct, only slower.
--
-- Java's: class-data sharing archives (CDS). javac.jsa holds the classes javac loads (a
-- dynamic archive, made by compiling a typical solution), run.jsa the JDK classes a typical
-- solution loads (Scanner, readers, collections, streams, formatting: a static archive of boot
-- classes only, so any class path may use it). A JVM maps them instead of loading and
-- verifying each class again: javac starts in about half the time, a run a little faster. javac
-- also runs with the client compiler only (TieredStopAtLevel=1): it is short-lived and trusted,
-- and C2 compiles for it would finish after it does. A solution's own JVM keeps both compilers.
-- Neither keeps performance counters (UsePerfData: a file in /tmp that nobody reads here).
-- A JVM given an archive that does not fit it (another JDK build) ignores it, silently.
ALTER TABLE languages ADD COLUMN archive_argv text[];

UPDATE languages
   SET archive_argv = ARRAY['/bin/sh', '-c', $sh$set -e
mkdir src
cd src
cat >Main.java <<'EOF'
import java.io.*;
import java.util.*;
import java.util.function.*;
import java.util.stream.*;

public class Main {
    record Pair(int a, long b) implements Comparable<Pair> {
        public int compareTo(Pair o) { return Long.compare(b, o.b); }
    }

    public static void main(String[] args) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        StringTokenizer st = new StringTokenizer(in.readLine());
        long a = Long.parseLong(st.nextToken()), b = Long.parseLong(st.nextToken());
        Scanner sc = new Scanner("3 4.5 word\n7");
        int n = sc.nextInt();
        double d = sc.nextDouble();
        String w = sc.next();
        List<Integer> list = new ArrayList<>(List.of(3, 1, 2));
        Collections.sort(list);
        Map<String, Integer> map = new HashMap<>();
        map.merge(w, n, Integer::sum);
        TreeMap<Long, Integer> tree = new TreeMap<>(Map.of(a, 1, b, 2));
        ArrayDeque<Integer> dq = new ArrayDeque<>(list);
        PriorityQueue<Pair> pq = new PriorityQueue<>();
        pq.add(new Pair(1, a));
        Set<Long> set = new HashSet<>(tree.keySet());
        long[] arr = {b, a, n};
        Arrays.sort(arr);
        int[][] grid = new int[3][3];
        Arrays.fill(grid[0], -1);
        BitSet bits = new BitSet();
        bits.set(n);
        String joined = IntStream.range(0, n).mapToObj(Integer::toString).collect(Collectors.joining(" "));
        Function<Long, Long> twice = x -> 2 * x;
        StringBuilder sb = new StringBuilder();
        sb.append(a + b).append('\n');
        PrintWriter out = new PrintWriter(new BufferedWriter(new OutputStreamWriter(System.out)));
        out.print(sb);
        out.printf("%d %.3f %s %s%n", twice.apply(a), d, joined, String.format("%5s", w));
        out.println(Math.max(dq.size(), set.size()) + pq.poll().b() + bits.cardinality() + map.get(w) + arr[0] + grid[0][0] + Objects.hash(a, b) % 2);
        out.flush();
        System.out.println(Long.MAX_VALUE / 3 + " " + Character.isDigit('x') + " " + new java.math.BigInteger("12345678901234567890").multiply(java.math.BigInteger.TWO));
    }
}
EOF
/usr/bin/javac -J-XX:ArchiveClassesAtExit=../javac.jsa -J-Xms32m -J-Xmx512m -J-XX:TieredStopAtLevel=1 -J-XX:+UseSerialGC -encoding UTF-8 -d . Main.java
echo '1 2' | /usr/bin/java -Xshare:off -XX:DumpLoadedClassList=../run.classlist -Xmx256m -XX:+UseSerialGC Main >/dev/null
cd ..
/usr/bin/java -Xshare:dump -XX:SharedClassListFile=run.classlist -XX:SharedArchiveFile=run.jsa -Xmx256m -XX:+UseSerialGC -cp /nonexistent >/dev/null
test -s javac.jsa
test -s run.jsa
rm -rf src run.classlist$sh$],
       compile_argv = compile_argv[:1]
                      || ARRAY['-J-XX:SharedArchiveFile={archive}/javac.jsa', '-J-XX:TieredStopAtLevel=1',
                               '-J-XX:+UseSerialGC', '-J-XX:-UsePerfData']
                      || compile_argv[2:],
       run_argv = run_argv[:1] || ARRAY['-XX:SharedArchiveFile={archive}/run.jsa', '-XX:-UsePerfData']
                  || run_argv[2:]
 WHERE id = 'java' AND compile_argv[1] = '/usr/bin/javac' AND run_argv[1] = '/usr/bin/java';
