package org.vcpu4j.backend.emulated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.vcpu4j.api.VCpuExit;

/**
 * Hot code runs as compiled blocks (after 4,096 runs of its first instruction); what the guest
 * and the host see must not change: the retired count and instruction limits stay exact, a fault
 * inside a block reports the faulting instruction, code changed by the guest or the host is seen, and a
 * block that loops on itself still stops when asked.
 */
class BlockTest {
    private static final long R = Guest.RAM;

    /** x0 = 10000; x1 = 0; loop: x1 += 3; x2 = x1 - 1; x0 -= 1 (flags); b.ne loop; hvc #0. */
    private static final int[] COUNTING_LOOP = {
        0xd284e200, // 0x00 mov x0, #10000
        0xd2800001, // 0x04 mov x1, #0
        0x91000c21, // 0x08 loop: add x1, x1, #3
        0xd1000422, // 0x0c sub x2, x1, #1
        0xf1000400, // 0x10 subs x0, x0, #1
        0x54ffffa1, // 0x14 b.ne loop
        0xd4000002, // 0x18 hvc #0
    };

    @Test
    void aHotLoopRetiresEveryInstructionOnce() {
        try (Guest g = new Guest(COUNTING_LOOP)) {
            assertInstanceOf(VCpuExit.Hypercall.class, g.run());
            assertEquals(30_000, g.x(1));
            assertEquals(29_999, g.x(2));
            assertEquals(0, g.x(0));
            assertEquals(2 + 4 * 10_000 + 1, g.vcpu.retiredInstructions().orElseThrow());
            assertEquals(R + 0x1c, g.pc());
        }
    }

    /** Limits that fall before, on and inside the compiled loop, at every position in its body. */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 1_000, 20_001, 20_002, 20_003, 20_004, 20_005, 39_999, 40_001})
    void anInstructionLimitStopsAtExactlyThatInstruction(long limit) {
        try (Guest g = new Guest(COUNTING_LOOP)) {
            g.vcpu.setInstructionLimit(limit);
            assertInstanceOf(VCpuExit.Interrupted.class, g.run());
            assertEquals(limit, g.vcpu.retiredInstructions().orElseThrow());
            long inLoop = Math.max(0, limit - 2);
            long rounds = inLoop / 4;
            long step = inLoop % 4;
            long expectedPc = limit < 2 ? R + 4 * limit : R + 8 + 4 * step;
            assertEquals(expectedPc, g.pc());
            assertEquals(3 * (rounds + (step >= 1 ? 1 : 0)), g.x(1));
            assertEquals(10_000 - rounds - (step >= 3 ? 1 : 0), g.x(0));
            g.vcpu.setInstructionLimit(Long.MAX_VALUE);
            assertInstanceOf(VCpuExit.Hypercall.class, g.run());
            assertEquals(30_000, g.x(1));
        }
    }

    @Test
    void anMmioLoadInsideAHotBlockExitsAtThatLoad() {
        int[] code = {
            0xf9400062, // 0x00 loop: ldr x2, [x3]
            0x8b040063, // 0x04 add x3, x3, x4
            0xf1000400, // 0x08 subs x0, x0, #1
            0x54ffffa1, // 0x0c b.ne loop
            0xd4000002, // 0x10 hvc #0
        };
        try (Guest g = new Guest(code)) {
            g.vcpu.setGpr(0, 10_001);
            g.vcpu.setGpr(3, R + Guest.RAM_SIZE - 8 * 10_000); // the 10,001st load leaves RAM
            g.vcpu.setGpr(4, 8);
            VCpuExit.MmioRead read = assertInstanceOf(VCpuExit.MmioRead.class, g.run());
            assertEquals(R + Guest.RAM_SIZE, read.address());
            assertEquals(R + 4, g.pc()); // past the load: the completion only delivers the value
            assertEquals(4 * 10_000 + 1, g.vcpu.retiredInstructions().orElseThrow());
            assertEquals(1, g.x(0));
            g.vcpu.completeMmioRead(0x1234_5678_9ABC_DEF0L);
            assertInstanceOf(VCpuExit.Hypercall.class, g.run());
            assertEquals(0x1234_5678_9ABC_DEF0L, g.x(2));
            assertEquals(0, g.x(0));
            assertEquals(4 * 10_001 + 1, g.vcpu.retiredInstructions().orElseThrow());
        }
    }

    @Test
    void aGuestStoreIntoAHotBlockIsSeenOnItsNextRun() {
        int[] code = {
            0xd284e200, // 0x00 mov x0, #10000
            0xd2800001, // 0x04 mov x1, #0
            0xd2800047, // 0x08 mov x7, #2
            0x91000c21, // 0x0c loop: add x1, x1, #3   (replaced by add x1, x1, #5 after the first pass)
            0xf1000400, // 0x10 subs x0, x0, #1
            0x54ffffc1, // 0x14 b.ne loop
            0xb90000c5, // 0x18 str w5, [x6]
            0xd284e200, // 0x1c mov x0, #10000
            0xf10004e7, // 0x20 subs x7, x7, #1
            0x54ffff41, // 0x24 b.ne loop
            0xd4000002, // 0x28 hvc #0
        };
        try (Guest g = new Guest(code)) {
            g.vcpu.setGpr(5, 0x91001421); // add x1, x1, #5
            g.vcpu.setGpr(6, R + 0x0c);
            assertInstanceOf(VCpuExit.Hypercall.class, g.run());
            assertEquals(3 * 10_000 + 5 * 10_000, g.x(1));
        }
    }

    @Test
    void aHostWriteIntoAHotBlockIsSeenAtTheNextRun() {
        try (Guest g = new Guest(COUNTING_LOOP)) {
            assertInstanceOf(VCpuExit.Hypercall.class, g.run());
            assertEquals(30_000, g.x(1));
            g.load(R + 0x08, 0x91001421); // add x1, x1, #5
            g.vcpu.setEntry(R);
            assertInstanceOf(VCpuExit.Hypercall.class, g.run());
            assertEquals(50_000, g.x(1));
        }
    }

    @Test
    void requestExitStopsABlockThatLoopsOnItself() throws Exception {
        try (Guest g = new Guest(0x91000421 /* loop: add x1, x1, #1 */, 0x17ffffff /* b loop */)) {
            Thread stopper = Thread.ofPlatform().start(() -> {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                g.vcpu.requestExit();
            });
            assertInstanceOf(VCpuExit.Interrupted.class, g.run());
            stopper.join();
            long adds = g.x(1);
            long retired = g.vcpu.retiredInstructions().orElseThrow();
            // every add is followed by its branch unless the exit came between the two
            assertEquals(retired / 2 + retired % 2, adds);
            assertEquals(retired % 2 == 0 ? R : R + 4, g.pc());
        }
    }
}
