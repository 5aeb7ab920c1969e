package org.vcpu4j.backend.emulated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.vcpu4j.api.Hypervisor;
import org.vcpu4j.api.VCpu;
import org.vcpu4j.api.VCpuExit;
import org.vcpu4j.api.VirtualMachine;
import org.vcpu4j.api.aarch64.Aarch64CreateConfig;
import org.vcpu4j.api.aarch64.Aarch64SetupConfig;
import org.vcpu4j.spi.Backends;

/**
 * Two vCPUs on two threads increment shared counters with an LDAXR/STLXR loop and with LDADD, and
 * 128-bit counters with LDAXP/STLXP and CASPAL: no update may be lost or torn.
 */
class SmpAtomicityTest {
    private static final long RAM = 0x4000_0000L;
    private static final long EXCLUSIVE_COUNTER = RAM + 0x1000;
    private static final long ATOMIC_COUNTER = RAM + 0x1008;
    private static final int ROUNDS = 200_000;
    private static final ValueLayout.OfInt LE32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LE64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private static final int[] CODE = {
        0xc85ffc01, // loop: ldaxr x1, [x0]
        0x91000421, // add x1, x1, #1
        0xc803fc01, // stlxr w3, x1, [x0]
        0x35ffffa3, // cbnz w3, loop
        0xd2800024, // mov x4, #1
        0xf82400c5, // ldadd x4, x5, [x6]
        0xf1000442, // subs x2, x2, #1
        0x54ffff21, // b.ne loop
        0xd4000002, // hvc #0
    };

    /** Both halves of two 128-bit counters, one with LDAXP/STLXP and one with CASPAL, go up together. */
    private static final int[] PAIR_CODE = {
        0xc87f8801, // loop: ldaxp x1, x2, [x0]
        0x91000421, // add x1, x1, #1
        0x91000442, // add x2, x2, #1
        0xc8238801, // stlxp w3, x1, x2, [x0]
        0x35ffff83, // cbnz w3, loop
        0xa94014c4, // casloop: ldp x4, x5, [x6]
        0x91000488, // add x8, x4, #1
        0x910004a9, // add x9, x5, #1
        0xaa0403ea, // mov x10, x4
        0xaa0503eb, // mov x11, x5
        0x486afcc8, // caspal x10, x11, x8, x9, [x6]
        0xeb04015f, // cmp x10, x4
        0x54ffff21, // b.ne casloop
        0xeb05017f, // cmp x11, x5
        0x54fffee1, // b.ne casloop
        0xf10004e7, // subs x7, x7, #1
        0x54fffe01, // b.ne loop
        0xd4000002, // hvc #0
    };

    @Test
    void twoVcpusLoseNoIncrements() throws Exception {
        MemorySegment ram = runOnTwoVcpus(CODE, 2);
        assertEquals(2L * ROUNDS, ram.get(LE64, EXCLUSIVE_COUNTER - RAM), "LDAXR/STLXR increments");
        assertEquals(2L * ROUNDS, ram.get(LE64, ATOMIC_COUNTER - RAM), "LDADD increments");
    }

    @Test
    void pairAtomicsUpdateBothHalvesAsOne() throws Exception {
        MemorySegment ram = runOnTwoVcpus(PAIR_CODE, 7);
        long pairs = ROUNDS / 4; // every round is two 128-bit updates
        assertEquals(2L * pairs, ram.get(LE64, EXCLUSIVE_COUNTER - RAM), "LDAXP/STLXP, low half");
        assertEquals(2L * pairs, ram.get(LE64, EXCLUSIVE_COUNTER - RAM + 8), "LDAXP/STLXP, high half");
        assertEquals(2L * pairs, ram.get(LE64, ATOMIC_COUNTER + 8 - RAM), "CASPAL, low half");
        assertEquals(2L * pairs, ram.get(LE64, ATOMIC_COUNTER + 16 - RAM), "CASPAL, high half");
    }

    /** Runs a program on two vCPUs (x0, x6: the counters; the round count in {@code roundsRegister}). */
    private static MemorySegment runOnTwoVcpus(int[] code, int roundsRegister) throws Exception {
        long rounds = code == CODE ? ROUNDS : ROUNDS / 4;
        try (Hypervisor h = Backends.open(new EmulatedBackendProvider())) {
            VirtualMachine vm = h.createVirtualMachine();
            MemorySegment ram = vm.mapRam(RAM, 0x10000).host();
            for (int i = 0; i < code.length; i++) {
                ram.set(LE32, 4L * i, code[i]);
            }
            List<Thread> threads = new ArrayList<>();
            List<AtomicReference<Object>> results = new ArrayList<>();
            for (int id = 0; id < 2; id++) {
                VCpu cpu = vm.createVCpu(id, Aarch64CreateConfig.ofMpidr(id));
                cpu.setEntry(RAM);
                cpu.setup(Aarch64SetupConfig.defaults());
                AtomicReference<Object> result = new AtomicReference<>();
                results.add(result);
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        cpu.bind();
                        cpu.setGpr(0, EXCLUSIVE_COUNTER);
                        cpu.setGpr(6, code == CODE ? ATOMIC_COUNTER : ATOMIC_COUNTER + 8); // 16-byte aligned
                        cpu.setGpr(roundsRegister, rounds);
                        result.set(cpu.run());
                        cpu.unbind();
                    } catch (Throwable t) {
                        result.set(t);
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            for (AtomicReference<Object> r : results) {
                assertInstanceOf(VCpuExit.Hypercall.class, r.get());
            }
            MemorySegment copy = MemorySegment.ofArray(new byte[0x2000]);
            copy.copyFrom(ram.asSlice(0, 0x2000));
            return copy;
        }
    }
}
