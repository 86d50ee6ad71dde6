// Hostile: allocates until the heap (-Xmx) is exhausted.
import java.util.ArrayList;

public class Oom {
    public static void main(String[] args) {
        ArrayList<long[]> keep = new ArrayList<>();
        while (true)
            keep.add(new long[1 << 17]);
    }
}
