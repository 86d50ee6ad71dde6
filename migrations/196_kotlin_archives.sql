-- Kotlin's host archives (migration 185): kotlinc.jsa holds the classes the Kotlin compiler
-- loads (a dynamic archive, made by compiling a typical solution: kotlinc's class path is its
-- own jars, the same at every compile), run.jsa the JDK classes a typical solution loads (boot
-- classes only, so main.jar may use it). kotlinc, a JVM program that runs for seconds, also
-- runs with the client compiler only, the serial collector and no performance counters; the
-- solution's own JVM keeps both compilers.
UPDATE languages
   SET archive_argv = ARRAY['/bin/sh', '-c', $sh$set -e
mkdir src
cd src
cat >main.kt <<'KT'
import java.io.*
import java.util.*

data class Edge(val to: Int, val w: Long) : Comparable<Edge> {
    override fun compareTo(other: Edge) = w.compareTo(other.w)
}

fun main() {
    val br = BufferedReader(InputStreamReader(System.`in`))
    val (a, b) = br.readLine()!!.trim().split(" ").map { it.toLong() }
    val st = StringTokenizer("3 4 5")
    val n = st.nextToken().toInt()
    val list = mutableListOf(3, 1, 2)
    list.sortDescending()
    val map = HashMap<String, Int>()
    map.merge("x", n, Int::plus)
    val tree = TreeMap<Long, Int>(mapOf(a to 1, b to 2))
    val pq = PriorityQueue<Edge>()
    pq.add(Edge(1, a))
    val arr = LongArray(3) { it * b }
    arr.sort()
    val grid = Array(3) { IntArray(3) }
    val seq = (1..n).asSequence().filter { it % 2 == 1 }.map { it * it }.toList()
    val sb = StringBuilder()
    sb.append(a + b).append('\n')
    print(sb)
    println("%d %.3f %s".format(a, b / 3.0, seq.joinToString(" ")))
    println(list.sum() + (map["x"] ?: 0) + tree.size + pq.poll().w + arr[0] + grid[0][0] + (readLine() ?: "").length)
}
KT
/usr/bin/kotlinc -J-XX:ArchiveClassesAtExit=../kotlinc.jsa -J-Xmx768m -J-XX:TieredStopAtLevel=1 -J-XX:+UseSerialGC -J-XX:-UsePerfData -nowarn main.kt -include-runtime -d main.jar >/dev/null
echo '1 2' | /usr/bin/java -Xshare:off -XX:DumpLoadedClassList=../run.classlist -Xmx256m -XX:+UseSerialGC -jar main.jar >/dev/null
cd ..
/usr/bin/java -Xshare:dump -XX:SharedClassListFile=run.classlist -XX:SharedArchiveFile=run.jsa -Xmx256m -XX:+UseSerialGC -cp /nonexistent >/dev/null
test -s kotlinc.jsa
test -s run.jsa
rm -rf src run.classlist$sh$],
       compile_argv = compile_argv[:1]
                      || ARRAY['-J-XX:SharedArchiveFile={archive}/kotlinc.jsa', '-J-XX:TieredStopAtLevel=1',
                               '-J-XX:+UseSerialGC', '-J-XX:-UsePerfData']
                      || compile_argv[2:],
       run_argv = run_argv[:1] || ARRAY['-XX:SharedArchiveFile={archive}/run.jsa', '-XX:-UsePerfData']
                  || run_argv[2:]
 WHERE id = 'kotlin' AND compile_argv[1] = '/usr/bin/kotlinc' AND run_argv[1] = '/usr/bin/java'
   AND archive_argv IS NULL;
