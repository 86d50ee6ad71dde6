"""The languages beyond the five installed by default (label integration;privileged): each one
found by the judge when its toolchain is installed, its version read from the toolchain, and
through the whole judge AC, WA, TLE, MLE, RE and CE, with a fork bomb, network access, writing
outside the box and reading another run's files held.

A language whose toolchain is missing is skipped here, except under CI, where
`./gavel.sh test` installs them all and a missing one fails."""

import os
import unittest

import judge_util as ju
import gavel_test

SUM_TESTS = [("1 2\n", "3\n"), ("5 6\n", "11\n"), ("-7 7\n", "0\n")]

# Per language: a sum (AC), its helpers, and the programs of every verdict. `sum` reads two
# integers and prints their sum plus {delta}; {body} is what the program does first.
LANGS = {
    "cpp20": {
        "AC": '#include <bits/stdc++.h>\nint main(){long a,b;std::cin>>a>>b;'
              'auto s=std::views::iota(0,3);std::cout<<a+b+std::ranges::distance(s)-3<<"\\n";}',
        "WA": '#include <bits/stdc++.h>\nint main(){long a,b;std::cin>>a>>b;std::cout<<a-b<<"\\n";}',
        "TLE": '#include <bits/stdc++.h>\nint main(){volatile long x=0;for(;;)x++;}',
        "MLE": '#include <bits/stdc++.h>\nint main(){std::vector<char> v(512u<<20,1);'
               'std::cout<<(int)v[12345]<<"\\n";}',
        "RE": '#include <bits/stdc++.h>\nint main(){std::vector<int> v;return v.at(5);}',
        "CE": 'int main(){ auto x = ; }',
        "fork": '#include <unistd.h>\nint main(){for(;;)fork();}',
        "net": '#include <sys/socket.h>\n#include <netinet/in.h>\n#include <arpa/inet.h>\n'
               'int main(){int s=socket(AF_INET,SOCK_STREAM,0);if(s<0)return 1;sockaddr_in a{};'
               'a.sin_family=AF_INET;a.sin_port=htons(80);inet_pton(AF_INET,"1.1.1.1",&a.sin_addr);'
               'return connect(s,(sockaddr*)&a,sizeof a)<0;}',
        "escape": '#include <cstdio>\nint main(){FILE*f=fopen("/gavel-escaped-cpp20","w");'
                  'if(!f)return 1;fputs("x",f);return 0;}',
        "plant": '#include <cstdio>\nint main(){FILE*f=fopen("/tmp/planted","w");fputs("s",f);'
                 'fclose(f);f=fopen("planted","w");fputs("s",f);fclose(f);puts("3");}',
        "look": '#include <bits/stdc++.h>\nint main(){long a,b;std::cin>>a>>b;'
                'if(fopen("/tmp/planted","r")||fopen("planted","r"))a=-99;'
                'std::cout<<a+b<<"\\n";}',
    },
    "pypy3": {
        "AC": 'import sys\na, b = map(int, sys.stdin.read().split())\n'
              'assert "__pypy__" in sys.builtin_module_names\nprint(a + b)\n',
        "WA": 'a, b = map(int, input().split())\nprint(a * b + 1)\n',
        "TLE": 'x = 0\nwhile True:\n    x += 1\n',
        "MLE": 'l = []\nwhile True:\n    l.append(bytearray(1 << 20))\n',
        "RE": 'print(1 // 0)\n',
        "CE": 'def f(:\n    pass\n',
        "fork": 'import os\nwhile True:\n    os.fork()\n',
        "net": 'import socket\nsocket.create_connection(("1.1.1.1", 80), 2)\n',
        "escape": 'open("/gavel-escaped-pypy3", "w").write("x")\n',
        "plant": 'open("/tmp/planted", "w").write("s")\nopen("planted", "w").write("s")\nprint(3)\n',
        "look": 'import os\na, b = map(int, input().split())\n'
                'print(-99 if os.path.exists("/tmp/planted") or os.path.exists("planted") else a + b)\n',
    },
    "go": {
        "AC": 'package main\nimport ("bufio";"fmt";"os")\nfunc main(){r:=bufio.NewReader(os.Stdin)\n'
              'var a,b int64\nfmt.Fscan(r,&a,&b)\nfmt.Println(a+b)}\n',
        "WA": 'package main\nimport "fmt"\nfunc main(){var a,b int\nfmt.Scan(&a,&b)\nfmt.Println(a-b)}\n',
        "TLE": 'package main\nfunc main(){x:=0\nfor{x++}}\n',
        "MLE": 'package main\nimport "fmt"\nfunc main(){var k [][]byte\nfor i:=0;;i++{b:=make([]byte,1<<20)\n'
               'for j:=range b{b[j]=byte(i)}\nk=append(k,b)\nif i<0{fmt.Println(len(k))}}}\n',
        "RE": 'package main\nfunc main(){var m map[string]int\nm["x"]=1}\n',
        "CE": 'package main\nfunc main(){ x := }\n',
        "fork": 'package main\nimport "os/exec"\nfunc main(){for{c:=exec.Command("/proc/self/exe")\n'
                '_=c.Start()}}\n',
        "net": 'package main\nimport ("net";"os")\nfunc main(){_,err:=net.Dial("tcp","1.1.1.1:80")\n'
               'if err!=nil{os.Exit(1)}}\n',
        "escape": 'package main\nimport "os"\nfunc main(){if os.WriteFile("/gavel-escaped-go",'
                  '[]byte("x"),0644)!=nil{os.Exit(1)}}\n',
        "plant": 'package main\nimport ("fmt";"os")\nfunc main(){os.WriteFile("/tmp/planted",'
                 '[]byte("s"),0644)\nos.WriteFile("planted",[]byte("s"),0644)\nfmt.Println(3)}\n',
        "look": 'package main\nimport ("fmt";"os")\nfunc main(){var a,b int\nfmt.Scan(&a,&b)\n'
                '_,e1:=os.Stat("/tmp/planted")\n_,e2:=os.Stat("planted")\n'
                'if e1==nil||e2==nil{a=-99}\nfmt.Println(a+b)}\n',
    },
    "rust": {
        "AC": 'use std::io::*;\nfn main(){let mut s=String::new();stdin().read_to_string(&mut s).unwrap();'
              'let v:Vec<i64>=s.split_whitespace().map(|x|x.parse().unwrap()).collect();'
              'println!("{}",v[0]+v[1]);}\n',
        "WA": 'fn main(){println!("42");}\n',
        "TLE": 'fn main(){let mut x:u64=0;loop{unsafe{std::ptr::write_volatile(&mut x,x+1);}}}\n',
        "MLE": 'fn main(){let mut k:Vec<Vec<u8>>=Vec::new();loop{k.push(vec![1u8;1<<20]);'
               'if k.len()==usize::MAX{println!("{}",k.len());}}}\n',
        "RE": 'fn main(){let v:Vec<i32>=Vec::new();std::process::exit(v[std::env::args().count()+4]);}\n',
        "CE": 'fn main(){ let x: i32 = "s"; }\n',
        "fork": 'fn main(){loop{let _=std::process::Command::new("/proc/self/exe").spawn();}}\n',
        "net": 'fn main(){std::net::TcpStream::connect("1.1.1.1:80").unwrap();}\n',
        "escape": 'fn main(){std::fs::write("/gavel-escaped-rust","x").unwrap();}\n',
        "plant": 'fn main(){let _=std::fs::write("/tmp/planted","s");let _=std::fs::write("planted","s");'
                 'println!("3");}\n',
        "look": 'use std::io::*;\nfn main(){let mut s=String::new();stdin().read_to_string(&mut s).unwrap();'
                'let v:Vec<i64>=s.split_whitespace().map(|x|x.parse().unwrap()).collect();'
                'let seen=std::path::Path::new("/tmp/planted").exists()||std::path::Path::new("planted").exists();'
                'println!("{}",if seen{-99}else{v[0]+v[1]});}\n',
    },
    "kotlin": {
        "AC": 'fun main() { val (a, b) = readLine()!!.trim().split(" ").map { it.toLong() }\n'
              '    println(a + b) }\n',
        "WA": 'fun main() { println(42) }\n',
        "TLE": 'fun main() { var x = 0L; while (x >= 0) { x++ }; println(x) }\n',
        "MLE": 'fun main() { val l = ArrayList<IntArray>(); while (true) l.add(IntArray(1 shl 20)) }\n',
        "RE": 'fun main() { throw IllegalStateException("boom") }\n',
        "CE": 'fun main() { val x: Int = "s" }\n',
        "fork": 'fun main() { while (true) ProcessBuilder("/usr/bin/java", "-version").start() }\n',
        "net": 'fun main() { java.net.Socket("1.1.1.1", 80) }\n',
        "escape": 'fun main() { java.io.File("/gavel-escaped-kotlin").writeText("x") }\n',
        "plant": 'fun main() { java.io.File("/tmp/planted").writeText("s")\n'
                 '    java.io.File("planted").writeText("s"); println(3) }\n',
        "look": 'fun main() { val (a, b) = readLine()!!.trim().split(" ").map { it.toLong() }\n'
                '    val seen = java.io.File("/tmp/planted").exists() || java.io.File("planted").exists()\n'
                '    println(if (seen) -99 else a + b) }\n',
    },
    "csharp": {
        "AC": 'using System;\nclass P { static void Main() { var t = Console.ReadLine().Split(\' \');'
              ' Console.WriteLine(long.Parse(t[0]) + long.Parse(t[1])); } }\n',
        "WA": 'class P { static void Main() { System.Console.WriteLine(42); } }\n',
        "TLE": 'class P { static void Main() { long x = 0; while (x >= 0) x++; '
               'System.Console.WriteLine(x); } }\n',
        "MLE": 'using System.Collections.Generic;\nclass P { static void Main() {'
               ' var l = new List<int[]>(); while (true) { var a = new int[1 << 18];'
               ' for (int i = 0; i < a.Length; i++) a[i] = i; l.Add(a); } } }\n',
        "RE": 'class P { static void Main() { throw new System.Exception("boom"); } }\n',
        "CE": 'class P { static void Main() { int x = "s"; } }\n',
        "fork": 'class P { static void Main() { while (true) System.Diagnostics.Process.Start('
                '"/usr/bin/mono", "--version"); } }\n',
        "net": 'class P { static void Main() { var c = new System.Net.Sockets.TcpClient();'
               ' c.Connect("1.1.1.1", 80); System.Console.WriteLine(c.Connected); } }\n',
        "escape": 'class P { static void Main() { System.IO.File.WriteAllText("/gavel-escaped-csharp",'
                  ' "x"); } }\n',
        "plant": 'class P { static void Main() { System.IO.File.WriteAllText("/tmp/planted", "s");'
                 ' System.IO.File.WriteAllText("planted", "s"); System.Console.WriteLine(3); } }\n',
        "look": 'using System;\nusing System.IO;\nclass P { static void Main() {'
                ' var t = Console.ReadLine().Split(\' \'); long s = long.Parse(t[0]) + long.Parse(t[1]);'
                ' if (File.Exists("/tmp/planted") || File.Exists("planted")) s = -99;'
                ' Console.WriteLine(s); } }\n',
    },
    "haskell": {
        "AC": 'main :: IO ()\nmain = do\n  s <- getContents\n  let [a, b] = map read (words s) :: [Integer]\n'
              '  print (a + b)\n',
        "WA": 'main :: IO ()\nmain = print (42 :: Int)\n',
        "TLE": 'loop :: Int -> Int\nloop n = if n < 0 then n else loop (n + 1)\nmain :: IO ()\n'
               'main = print (loop 0)\n',
        "MLE": 'import qualified Data.Map.Strict as M\nmain :: IO ()\n'
               'main = print (M.size (M.fromList [(i, i) | i <- [1 .. 100000000 :: Int]]))\n',
        "RE": 'main :: IO ()\nmain = print (head ([] :: [Int]))\n',
        "CE": 'main :: IO ()\nmain = print (1 + "s")\n',
        "fork": 'import System.Posix.Process (forkProcess)\nimport Control.Monad (forever)\n'
                'main :: IO ()\nmain = forever (forkProcess (forever (return ())))\n',
        "net": '{-# LANGUAGE ForeignFunctionInterface #-}\nimport Foreign.C.Types\n'
               'import System.Exit\nforeign import ccall "socket" c_socket :: CInt -> CInt -> CInt -> IO CInt\n'
               'main :: IO ()\nmain = do\n  s <- c_socket 2 1 0\n  if s < 0 then exitWith (ExitFailure 1)'
               ' else return ()\n',
        "escape": 'main :: IO ()\nmain = writeFile "/gavel-escaped-haskell" "x"\n',
        "plant": 'main :: IO ()\nmain = do\n  writeFile "/tmp/planted" "s"\n  writeFile "planted" "s"\n'
                 '  print (3 :: Int)\n',
        "look": 'import System.Directory (doesFileExist)\nmain :: IO ()\nmain = do\n'
                '  s <- getContents\n  let [a, b] = map read (words s) :: [Integer]\n'
                '  x <- doesFileExist "/tmp/planted"\n  y <- doesFileExist "planted"\n'
                '  print (if x || y then -99 else a + b)\n',
    },
    "pascal": {
        "AC": 'var a, b: int64;\nbegin\n  readln(a, b);\n  writeln(a + b);\nend.\n',
        "WA": 'begin\n  writeln(42);\nend.\n',
        "TLE": 'var x: int64;\nbegin\n  x := 0;\n  while x >= 0 do inc(x);\n  writeln(x);\nend.\n',
        "MLE": 'var p: PByte; i, t: longint;\nbegin\n  t := 0;\n  for i := 1 to 1024 do begin\n'
               '    GetMem(p, 1 shl 20); FillByte(p^, 1 shl 20, i); t := t + p[i];\n  end;\n'
               '  writeln(t);\nend.\n',
        "RE": 'var a: array of longint;\nbegin\n  {$R+}\n  SetLength(a, 1);\n  a[5] := 1;\n'
              '  writeln(a[5]);\nend.\n',
        "CE": 'begin\n  writeln(x);\nend.\n',
        "fork": 'uses BaseUnix;\nbegin\n  while true do fpFork;\nend.\n',
        "net": 'uses Sockets;\nvar s: longint;\nbegin\n  s := fpSocket(AF_INET, SOCK_STREAM, 0);\n'
               '  if s < 0 then halt(1);\nend.\n',
        "escape": 'var f: text;\nbegin\n  assign(f, \'/gavel-escaped-pascal\');\n  rewrite(f);\n'
                  '  writeln(f, \'x\');\n  close(f);\nend.\n',
        "plant": 'var f: text;\nbegin\n  assign(f, \'/tmp/planted\'); rewrite(f); writeln(f, \'s\');'
                 ' close(f);\n  assign(f, \'planted\'); rewrite(f); writeln(f, \'s\'); close(f);\n'
                 '  writeln(3);\nend.\n',
        "look": 'uses SysUtils;\nvar a, b: int64;\nbegin\n  readln(a, b);\n'
                '  if FileExists(\'/tmp/planted\') or FileExists(\'planted\') then a := -99;\n'
                '  writeln(a + b);\nend.\n',
    },
    "ruby": {
        "AC": 'a, b = STDIN.read.split.map(&:to_i)\nputs a + b\n',
        "WA": 'puts 42\n',
        "TLE": 'x = 0\nloop { x += 1 }\n',
        "MLE": 'l = []\nloop { l << ("x" * (1 << 20)) }\n',
        "RE": 'raise "boom"\n',
        "CE": 'def f(\n',
        "fork": 'loop { fork }\n',
        "net": 'require "socket"\nTCPSocket.new("1.1.1.1", 80)\n',
        "escape": 'File.write("/gavel-escaped-ruby", "x")\n',
        "plant": 'File.write("/tmp/planted", "s")\nFile.write("planted", "s")\nputs 3\n',
        "look": 'a, b = STDIN.read.split.map(&:to_i)\n'
                'puts(File.exist?("/tmp/planted") || File.exist?("planted") ? -99 : a + b)\n',
    },
}

TOOLCHAIN = {"cpp20": "/usr/bin/g++", "pypy3": "/usr/bin/pypy3", "go": "/usr/bin/go",
             "rust": "/usr/bin/rustc", "kotlin": "/usr/bin/kotlinc", "csharp": "/usr/bin/mcs",
             "haskell": "/usr/bin/ghc", "pascal": "/usr/bin/fpc", "ruby": "/usr/bin/ruby"}


class MoreLanguages(ju.JudgeCase):
    workers = 1  # one box: the looker runs where the planter ran

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pid = ju.problem(cls.url, "sum", SUM_TESTS, stop_on_first_failure=True)
        # Memory bombs where they reach the limit long before any time limit.
        cls.hog = ju.problem(cls.url, "hog", SUM_TESTS, stop_on_first_failure=True, memory_mb=64,
                             time_limits={lang: 10000 for lang in LANGS})
        cls.one = ju.problem(cls.url, "one", [("1 2\n", "3\n")])
        # The judge records at start which toolchains this host has.
        ju.wait_for(lambda: ju.q(cls.url, "SELECT count(*) FROM languages WHERE installed"
                                          " AND id = 'c'") == "1", "languages detected")

    def need(self, lang):
        if not os.path.exists(TOOLCHAIN[lang]):
            if os.environ.get("CI"):
                self.fail("%s is not installed: ./gavel.sh test installs every toolchain" % lang)
            raise unittest.SkipTest("%s: toolchain not installed (./gavel.sh languages %s)"
                                    % (lang, lang))
        self.assertEqual(ju.q(self.url, "SELECT installed FROM languages WHERE id = '%s'" % lang),
                         "t")

    def check(self, lang):
        self.need(lang)
        src = LANGS[lang]
        cases = {"%s %s" % (lang, v): (lang, src[v], v) for v in ("AC", "WA", "TLE", "RE", "CE")}
        rows = self.verdicts(self.pid, cases, timeout=600)
        rows.update(self.verdicts(self.hog, {"%s MLE" % lang: (lang, src["MLE"], "MLE")},
                                  timeout=300))
        self.assertEqual(rows["%s AC" % lang]["score"], 3)
        self.assertTrue(rows["%s CE" % lang]["compile_output"], rows["%s CE" % lang])
        # Hostile programs: each ends with a verdict and leaves the host alone.
        hostile = {
            "fork": (src["fork"], {"TLE", "RE", "MLE"}),
            "net": (src["net"], {"RE"}),
            "escape": (src["escape"], {"RE"}),
        }
        ids = {n: ju.submit(self.url, self.one, lang, s) for n, (s, _) in hostile.items()}
        got = ju.wait(self.url, "submissions", ids.values(), timeout=600)
        for name, (_, allowed) in hostile.items():
            self.assertIn(got[ids[name]]["verdict"], allowed, (lang, name, got[ids[name]]))
        self.assertFalse(os.path.exists("/gavel-escaped-" + lang))
        # What one run leaves in its folder or its /tmp, the next run in the same box does
        # not find.
        self.verdicts(self.one, {"%s plant" % lang: (lang, src["plant"], "AC")}, timeout=300)
        self.verdicts(self.one, {"%s look" % lang: (lang, src["look"], "AC")}, timeout=300)
        # The version shown is the toolchain's own.
        version = ju.wait_for(lambda: ju.q(
            self.url, "SELECT version FROM languages WHERE id = '%s'" % lang), "version")
        self.assertRegex(version, r"\d+\.\d+", lang)

    def test_cpp20(self):
        self.check("cpp20")

    def test_pypy3(self):
        self.check("pypy3")

    def test_go(self):
        self.check("go")

    def test_rust(self):
        self.check("rust")

    def test_kotlin(self):
        self.check("kotlin")

    def test_csharp(self):
        self.check("csharp")

    def test_haskell(self):
        self.check("haskell")

    def test_pascal(self):
        self.check("pascal")

    def test_ruby(self):
        self.check("ruby")

    def test_default_languages_versions(self):
        # The five installed by default read theirs from their toolchains too.
        for lang, pattern in (("c", r"gcc .*\d+\.\d+"), ("cpp", r"g\+\+ .*\d+\.\d+"),
                              ("python3", r"Python 3\.\d+"), ("java", r"version \"?\d+"),
                              ("javascript", r"v\d+\.\d+")):
            version = ju.wait_for(lambda: ju.q(
                self.url, "SELECT version FROM languages WHERE id = '%s'"
                          " AND version_of IS NOT NULL" % lang), "version of " + lang)
            self.assertRegex(version, pattern)

    def test_missing_toolchain_is_not_offered(self):
        # A language whose toolchain is not on the host is marked so at the judge's start.
        ju.q(self.url, "INSERT INTO languages (id, name, source_file, run_argv, sandbox_profile,"
                       " time_limit_ms) VALUES ('nolang', 'None', 'main.x',"
                       " ARRAY['/usr/bin/gavel-no-such-runtime', '{src}'], 'python', 1000)")
        p = self.start_judge()
        try:
            ju.wait_for(lambda: ju.q(self.url, "SELECT installed FROM languages"
                                               " WHERE id = 'nolang'") == "f", "nolang missing")
        finally:
            self.stop_judge(p)


if __name__ == "__main__":
    gavel_test.main()
