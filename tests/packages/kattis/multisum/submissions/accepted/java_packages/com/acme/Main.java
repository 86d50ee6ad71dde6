package com.acme;

import com.acme.util.Adder;
import java.util.Scanner;

public class Main {
    public static void main(String[] args) {
        Scanner s = new Scanner(System.in);
        System.out.println(Adder.add(s.nextLong(), s.nextLong()));
    }
}
