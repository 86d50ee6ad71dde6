import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;

public class Main {
    public static void main(String[] args) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        long n = Long.parseLong(in.readLine().trim().split(" ")[0]);
        long lo = 1, hi = n;
        while (lo <= hi) {
            long m = lo + (hi - lo) / 2;
            System.out.println("? " + m);
            System.out.flush();
            String r = in.readLine().trim();
            if (r.equals("="))
                return;
            if (r.equals("<"))
                hi = m - 1;
            else
                lo = m + 1;
        }
    }
}
