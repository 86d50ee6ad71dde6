// Legit: a multi-threaded Java program.
public class Threads {
    public static void main(String[] args) throws Exception {
        final long[] sums = new long[4];
        Thread[] ts = new Thread[4];
        for (int i = 0; i < 4; i++) {
            final int k = i;
            ts[i] = new Thread(() -> {
                for (long j = 0; j < 20_000_000L; j++)
                    sums[k] += j % 7;
            });
            ts[i].start();
        }
        long total = 0;
        for (int i = 0; i < 4; i++) {
            ts[i].join();
            total += sums[i];
        }
        System.out.println("threads " + total);
    }
}
