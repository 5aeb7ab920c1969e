package org.vcpu4j.backend.emulated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.vcpu4j.api.Hypervisor;
import org.vcpu4j.api.MemoryRegion;
import org.vcpu4j.api.VCpu;
import org.vcpu4j.api.VCpuExit;
import org.vcpu4j.api.VirtualMachine;
import org.vcpu4j.api.aarch64.Aarch64CreateConfig;
import org.vcpu4j.api.aarch64.Aarch64SetupConfig;
import org.vcpu4j.api.aarch64.Aarch64State;
import org.vcpu4j.api.aarch64.SystemRegister;
import org.vcpu4j.spi.Backends;

/**
 * Robustness: a million random instruction words, in batches with a fresh state each, never make
 * {@code run()} throw or touch host memory outside the guest's RAM. The RAM is the middle of one host
 * allocation whose two ends (the guards) are not mapped; they must keep their fill pattern.
 */
class RandomInstructionTest {
    private static final long RAM = 0x4000_0000L;
    private static final int RAM_SIZE = 64 * 1024;
    private static final int GUARD = 64 * 1024;
    private static final int CODE_WORDS = 4096;
    private static final int TOTAL_WORDS = 1_000_000;
    private static final byte FILL = (byte) 0xA5;
    private static final ValueLayout.OfInt LE32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @Test
    void randomWordsNeverThrowNorTouchMemoryOutsideTheGuest() {
        SplittableRandom random = new SplittableRandom(0x5EED_CAFEL);
        long exits = 0;
        try (Arena arena = Arena.ofShared(); Hypervisor h = Backends.open(new EmulatedBackendProvider())) {
            MemorySegment all = arena.allocate(GUARD + RAM_SIZE + GUARD, 4096);
            all.fill(FILL);
            MemorySegment ram = all.asSlice(GUARD, RAM_SIZE);
            VirtualMachine vm = h.createVirtualMachine();
            vm.map(MemoryRegion.ram(RAM, ram));
            VCpu cpu = vm.createVCpu(0, Aarch64CreateConfig.ofMpidr(0));
            cpu.setEntry(RAM);
            cpu.setup(Aarch64SetupConfig.defaults());
            cpu.bind();
            for (int done = 0; done < TOTAL_WORDS; done += CODE_WORDS) {
                ram.fill((byte) 0);
                for (int i = 0; i < CODE_WORDS; i++) {
                    ram.set(LE32, 4L * i, random.nextInt());
                }
                cpu.restoreState(randomState(random));
                exits += runBatch(cpu, random);
            }
            for (long i = 0; i < GUARD; i++) {
                assertEquals(FILL, all.get(ValueLayout.JAVA_BYTE, i), "low guard byte " + i);
                assertEquals(FILL, all.get(ValueLayout.JAVA_BYTE, GUARD + RAM_SIZE + i), "high guard byte " + i);
            }
            assertTrue(cpu.retiredInstructions().orElseThrow() > TOTAL_WORDS / 4,
                    "the random code ran: " + cpu.retiredInstructions());
        }
        assertTrue(exits > 0);
    }

    private static Aarch64State randomState(SplittableRandom random) {
        Aarch64State.Builder b = Aarch64State.reset().toBuilder();
        for (int i = 0; i < 31; i++) {
            b.x(i, switch (random.nextInt(4)) {
                case 0 -> RAM + random.nextInt(RAM_SIZE);
                case 1 -> random.nextInt(256);
                case 2 -> random.nextLong();
                default -> 0x0900_0000L + random.nextInt(4096);
            });
        }
        return b.pc(RAM + 4L * random.nextInt(CODE_WORDS)).spEl1(RAM + RAM_SIZE - 16).spEl0(RAM + RAM_SIZE / 2)
                .sys(SystemRegister.VBAR_EL1, RAM + 0x800 * random.nextInt(4))
                .sys(SystemRegister.CPACR_EL1, random.nextBoolean() ? 3L << 20 : 0)
                .sys(SystemRegister.SCTLR_EL1, 0x30C5_0830L)
                .build();
    }

    /** Runs one batch until a budget of exits; completes reads and moves past faults. */
    private static int runBatch(VCpu cpu, SplittableRandom random) {
        int exits = 0;
        for (int run = 0; run < 40; run++) {
            cpu.setInstructionLimit(cpu.retiredInstructions().orElseThrow() + 2000);
            VCpuExit exit = cpu.run();
            assertNotNull(exit);
            exits++;
            switch (exit) {
                case VCpuExit.MmioRead r -> {
                    if (random.nextBoolean()) {
                        cpu.completeMmioRead(random.nextLong());
                    } else {
                        cpu.completeMmioWithExternalAbort();
                    }
                }
                case VCpuExit.SysRegRead r -> cpu.completeSysRegRead(random.nextLong());
                case VCpuExit.NestedPageFault f -> cpu.setEntry(RAM + 4L * random.nextInt(CODE_WORDS));
                case VCpuExit.InternalError e -> {
                    assertTrue(e.description().startsWith("PSTATE.M"), "only a guest-made bad mode, not " + e);
                    cpu.restoreState(randomState(random));
                }
                case VCpuExit.Interrupted i -> { }
                default -> {
                    if (random.nextInt(8) == 0) {
                        cpu.injectInterrupt(random.nextInt(64));
                    }
                }
            }
        }
        return exits;
    }
}
