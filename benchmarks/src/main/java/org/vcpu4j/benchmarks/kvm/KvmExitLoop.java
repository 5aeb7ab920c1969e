package org.vcpu4j.benchmarks.kvm;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import org.vcpu4j.api.VCpuExit;

/**
 * The Java twin of exit_bench.c: a warm-up pass, then timed passes of a fixed number of exits, one line
 * per pass and the medians of wall-clock time and of the thread's CPU time per exit, in exit_bench's
 * format (the CPU time, which includes guest and kernel time, is what other load on the host disturbs
 * least). compare-c.sh runs the two alternately (so load from
 * other processes hits both alike) and also counts this program's ioctls with two exit counts: the
 * difference in ioctls divided by the difference in exits is the number of ioctls per exit.
 *
 * <p>Usage: {@code java --enable-native-access=ALL-UNNAMED -cp benchmarks.jar
 * org.vcpu4j.benchmarks.kvm.KvmExitLoop pio|mmio EXITS [PASSES [WARMUP_EXITS]]}
 */
public final class KvmExitLoop {
    private KvmExitLoop() {}

    /**
     * Runs the loop.
     *
     * @param args the mode, exits per pass, passes (default 1) and warm-up exits (default 50,000)
     */
    public static void main(String[] args) {
        String mode = args.length > 0 ? args[0] : "pio";
        long exits = args.length > 1 ? Long.parseLong(args[1]) : 100_000;
        int passes = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        long warmup = args.length > 3 ? Long.parseLong(args[3]) : 50_000;
        try (KvmExitGuest guest = new KvmExitGuest(mode)) {
            Class<?> expected = mode.equals("pio") ? VCpuExit.IoWrite.class : VCpuExit.MmioWrite.class;
            run(guest, expected, warmup);
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            double[] perExit = new double[passes];
            double[] cpuPerExit = new double[passes];
            for (int p = 0; p < passes; p++) {
                long start = System.nanoTime();
                long startCpu = threads.getCurrentThreadCpuTime();
                run(guest, expected, exits);
                perExit[p] = (double) (System.nanoTime() - start) / Math.max(exits, 1);
                cpuPerExit[p] = (double) (threads.getCurrentThreadCpuTime() - startCpu) / Math.max(exits, 1);
                System.out.printf("pass %d: %.0f ns/exit, thread cpu %.0f ns/exit%n", p, perExit[p], cpuPerExit[p]);
            }
            Arrays.sort(perExit);
            Arrays.sort(cpuPerExit);
            System.out.printf("%s median %.0f ns/exit, thread cpu median %.0f ns/exit%n", mode, perExit[passes / 2],
                    cpuPerExit[passes / 2]);
        }
    }

    private static void run(KvmExitGuest guest, Class<?> expected, long exits) {
        for (long i = 0; i < exits; i++) {
            VCpuExit exit = guest.exit();
            if (exit.getClass() != expected) {
                throw new IllegalStateException("unexpected exit " + exit);
            }
        }
    }
}
