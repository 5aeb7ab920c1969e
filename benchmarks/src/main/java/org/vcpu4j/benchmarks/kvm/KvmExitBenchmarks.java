package org.vcpu4j.benchmarks.kvm;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.vcpu4j.api.VCpuExit;

/**
 * The exit round trip on the kvm backend: one {@code VCpu.run()} that enters the guest, takes one
 * port-I/O or MMIO exit and decodes it (KVM_RUN to KVM_RUN). Compare with exit_bench.c through
 * {@code benchmarks/kvm/compare-c.sh}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class KvmExitBenchmarks {
    /** The exit kind. */
    @Param({"pio", "mmio"})
    public String mode;

    private KvmExitGuest guest;

    /** Creates the guest on the benchmark thread (which the vCPU binds to). */
    @Setup(Level.Trial)
    public void setUp() {
        guest = new KvmExitGuest(mode);
    }

    /** Releases the VM. */
    @TearDown(Level.Trial)
    public void tearDown() {
        guest.close();
    }

    /** {@return one exit} */
    @Benchmark
    public VCpuExit exitRoundTrip() {
        return guest.exit();
    }
}
