import java.util.Scanner;

public class Main {
    public static void main(String[] args) {
        double r = Double.parseDouble(new Scanner(System.in).next());
        System.out.println(Math.PI * r * r);
    }
}
