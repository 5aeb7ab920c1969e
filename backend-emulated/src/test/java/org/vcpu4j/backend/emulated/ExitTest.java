package org.vcpu4j.backend.emulated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.vcpu4j.api.AccessKind;
import org.vcpu4j.api.AccessWidth;
import org.vcpu4j.api.MemoryRegion;
import org.vcpu4j.api.VCpuExit;
import org.vcpu4j.api.aarch64.Aarch64SetupConfig;
import org.vcpu4j.api.aarch64.Aarch64State;
import org.vcpu4j.api.aarch64.SystemRegister;

/** Every exit kind the emulator produces, with the PC contract of each. */
class ExitTest {
    private static final long R = Guest.RAM;

    private static final int[] PROGRAM = {
        0xd2824680, // 0x00 mov x0, #0x1234
        0xd28000e1, // 0x04 mov x1, #0x7
        0xd4000842, // 0x08 hvc #0x42
        0xd4000023, // 0x0c smc #0x1
        0xd503207f, // 0x10 wfi
        0x39c00145, // 0x14 ldrsb w5, [x10]
        0xf9400546, // 0x18 ldr x6, [x10, #8]
        0x79800547, // 0x1c ldrsh x7, [x10, #2]
        0xf900015f, // 0x20 str xzr, [x10]
        0xa9000941, // 0x24 stp x1, x2, [x10]
        0xb9400128, // 0x28 ldr w8, [x9]
        0xd53be22b, // 0x2c mrs x11, cntp_ctl_el0
        0xd518d081, // 0x30 msr tpidr_el1, x1
        0x14000000, // 0x34 b .
    };

    @Test
    void eachExitLeavesThePcWhereTheContractSays() {
        Aarch64SetupConfig setup = new Aarch64SetupConfig(true, false, java.util.Set.of())
                .trapping(SystemRegister.TPIDR_EL1.issAddress());
        try (Guest g = new Guest(setup, PROGRAM)) {
            g.vcpu.setGpr(10, Guest.UART);
            g.vcpu.setGpr(9, 0x5000_0000L);
            g.vcpu.setGpr(5, -1L);

            VCpuExit.Hypercall hvc = assertInstanceOf(VCpuExit.Hypercall.class, g.run());
            assertEquals(0x1234, hvc.number());
            assertEquals(List.of(7L, 0L, 0L, 0L, -1L, 0L), hvc.args());
            assertEquals(R + 0x0c, g.pc());
            g.vcpu.setReturnValue(99);

            VCpuExit.Hypercall smc = assertInstanceOf(VCpuExit.Hypercall.class, g.run());
            assertEquals(99, smc.number());
            assertEquals(R + 0x10, g.pc(), "a trapped SMC leaves the PC past it");

            assertInstanceOf(VCpuExit.Halt.class, g.run());
            assertEquals(R + 0x14, g.pc());

            VCpuExit.MmioRead byteRead = assertInstanceOf(VCpuExit.MmioRead.class, g.run());
            assertEquals(new VCpuExit.MmioRead(Guest.UART, AccessWidth.BYTE, 5, AccessWidth.DWORD, true), byteRead);
            assertEquals(R + 0x18, g.pc());
            g.vcpu.completeMmioRead(0x80);
            assertEquals(0xFFFF_FF80L, g.x(5), "LDRSB W sign-extends to 32 bits and clears the top half");

            VCpuExit.MmioRead longRead = assertInstanceOf(VCpuExit.MmioRead.class, g.run());
            assertEquals(new VCpuExit.MmioRead(Guest.UART + 8, AccessWidth.QWORD, 6, AccessWidth.QWORD, false),
                    longRead);
            g.vcpu.completeMmioRead(0x1122_3344_5566_7788L);
            assertEquals(0x1122_3344_5566_7788L, g.x(6));

            VCpuExit.MmioRead halfRead = assertInstanceOf(VCpuExit.MmioRead.class, g.run());
            assertEquals(new VCpuExit.MmioRead(Guest.UART + 2, AccessWidth.WORD, 7, AccessWidth.QWORD, true), halfRead);
            g.vcpu.completeMmioRead(0x8001);
            assertEquals(0xFFFF_FFFF_FFFF_8001L, g.x(7));

            assertEquals(new VCpuExit.MmioWrite(Guest.UART, AccessWidth.QWORD, 0), g.run(), "a store of XZR gives 0");
            assertEquals(R + 0x24, g.pc());

            assertEquals(new VCpuExit.NestedPageFault(Guest.UART, AccessKind.WRITE), g.run(),
                    "a pair has no syndrome");
            assertEquals(R + 0x24, g.pc(), "a nested page fault leaves the PC at the access");
            g.edit(b -> b.pc(R + 0x28));

            assertInstanceOf(VCpuExit.MmioRead.class, g.run());
            g.vcpu.completeMmioRead(5);
            assertEquals(5, g.x(8));

            assertEquals(new VCpuExit.SysRegRead(SystemRegister.CNTP_CTL_EL0.issAddress(), 11), g.run(),
                    "the physical timer traps when it is not passed through");
            assertEquals(R + 0x30, g.pc());
            g.vcpu.completeSysRegRead(3);
            assertEquals(3, g.x(11));

            assertEquals(new VCpuExit.SysRegWrite(SystemRegister.TPIDR_EL1.issAddress(), 7), g.run());
            assertEquals(R + 0x34, g.pc());
        }
    }

    @Test
    void instructionFetchFromNothingIsANestedPageFault() {
        try (Guest g = new Guest(0xd61f0000 /* br x0 */)) {
            g.vcpu.setGpr(0, 0x7000_0000L);
            assertEquals(new VCpuExit.NestedPageFault(0x7000_0000L, AccessKind.EXECUTE), g.run());
            assertEquals(0x7000_0000L, g.pc());
        }
    }

    @Test
    void writeToReadOnlyMemoryIsAnMmioWriteAndLeavesItUnchanged() {
        try (Guest g = new Guest(0xb9000141 /* str w1, [x10] */, 0xb9400142 /* ldr w2, [x10] */);
                Arena arena = Arena.ofShared()) {
            var rom = arena.allocate(4096, 4096);
            rom.set(java.lang.foreign.ValueLayout.JAVA_INT, 0, 0x55);
            g.vm.map(MemoryRegion.rom(0x6000_0000L, rom));
            g.vcpu.setGpr(10, 0x6000_0000L);
            g.vcpu.setGpr(1, 0xAB);
            assertEquals(new VCpuExit.MmioWrite(0x6000_0000L, AccessWidth.DWORD, 0xAB), g.run());
            assertEquals(0x55, rom.get(java.lang.foreign.ValueLayout.JAVA_INT, 0));
            g.vcpu.setInstructionLimit(g.vcpu.retiredInstructions().orElseThrow() + 1);
            assertInstanceOf(VCpuExit.Interrupted.class, g.run());
            assertEquals(0x55, g.x(2), "reads of read-only memory work");
        }
    }

    @Test
    void psciCallsBecomeTheirExits() {
        int[] code = {0xd4000002 /* hvc #0 */, 0xd4000002, 0xd4000003 /* smc #0 */};
        try (Guest g = new Guest(code)) {
            g.vcpu.setGpr(0, 0xC400_0003L);
            g.vcpu.setGpr(1, 1);
            g.vcpu.setGpr(2, 0x4008_0000L);
            g.vcpu.setGpr(3, 42);
            assertEquals(new VCpuExit.CpuUp(1, 0x4008_0000L, 42), g.run());
            g.vcpu.setGpr(0, 0x8400_0002L);
            assertInstanceOf(VCpuExit.CpuDown.class, g.run());
            g.vcpu.setGpr(0, 0x8400_0009L);
            assertInstanceOf(VCpuExit.SystemReset.class, g.run());
            assertEquals(R + 12, g.pc());
        }
    }

    @Test
    void requestExitFromAnotherThreadStopsASpinningGuest() throws Exception {
        try (Guest g = new Guest(0x14000000 /* b . */)) {
            Thread stopper = Thread.ofPlatform().start(() -> {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                g.vcpu.requestExit();
            });
            assertInstanceOf(VCpuExit.Interrupted.class, g.run());
            stopper.join();
            assertEquals(R, g.pc());
            assertTrue(g.vcpu.retiredInstructions().orElseThrow() > 0);
        }
    }

    @Test
    void requestExitBeforeRunReturnsAtOnce() {
        try (Guest g = new Guest(0xd2800020 /* mov x0, #1 */)) {
            g.vcpu.requestExit();
            assertInstanceOf(VCpuExit.Interrupted.class, g.run());
            assertEquals(R, g.pc());
            assertEquals(0, g.x(0));
        }
    }

    @Test
    void instructionLimitStopsAtTheExactCount() {
        int[] code = {0x91000400 /* add x0, x0, #1 */, 0x17ffffff /* b .-4 */};
        try (Guest g = new Guest(code)) {
            g.vcpu.setInstructionLimit(1001);
            assertInstanceOf(VCpuExit.Interrupted.class, g.run());
            assertEquals(1001, g.vcpu.retiredInstructions().orElseThrow());
            assertEquals(501, g.x(0));
            assertEquals(R + 4, g.pc());
        }
    }

    @Test
    void saveThenRestoreGivesBackTheSameState() {
        try (Guest g = new Guest(0x14000000)) {
            Aarch64State.Builder b = Aarch64State.builder();
            for (int i = 0; i < 31; i++) {
                b.x(i, 0x1111_0000_0000_0000L * (i % 15) + i);
            }
            b.spEl0(0x4000_8000L).spEl1(0x4000_9000L).pc(R + 0x40).pstate(0xF000_03C4L)
                    .elrEl1(0x1234).spsrEl1(0x3C5).fpcr(0x0300_0000L).fpsr(0x8000_0000L);
            for (int i = 0; i < 32; i++) {
                b.v(i, new org.vcpu4j.api.aarch64.Vec128(i * 3L, -i));
            }
            long v = 1;
            for (SystemRegister r : SystemRegister.values()) {
                if (r != SystemRegister.CNTVCT_EL0) {
                    b.sys(r, v++ * 0x101);
                }
            }
            Aarch64State wanted = b.build();
            g.vcpu.restoreState(wanted);
            Aarch64State got = g.state();
            long count = got.sys(SystemRegister.CNTVCT_EL0);
            assertTrue(count >= 0 && count < 62_500_000L * 10, "CNTVCT restored to about 0: " + count);
            Aarch64State comparable = got.toBuilder().sys(SystemRegister.CNTVCT_EL0, 0).build();
            assertEquals(List.of(), wanted.differences(comparable));
            Aarch64State again = got.toBuilder().sys(SystemRegister.CNTVCT_EL0, 1L << 40).build();
            g.vcpu.restoreState(again);
            long later = g.state().sys(SystemRegister.CNTVCT_EL0);
            assertTrue(later >= 1L << 40 && later < (1L << 40) + 62_500_000L * 10, "count " + later);
            assertFalse(g.state().differences(again).stream().anyMatch(d -> !d.startsWith("cntvct")));
        }
    }

    @Test
    void createAndSetupInitialiseTheRegistersAsArmVcpuDoes() {
        try (Guest g = new Guest(0x14000000)) {
            Aarch64State s = g.state();
            assertEquals(0x3C5, s.pstate());
            assertEquals(0x30C5_0830L, s.sys(SystemRegister.SCTLR_EL1));
            assertEquals(0x8000_0000L, s.sys(SystemRegister.MPIDR_EL1));
            assertEquals(R, s.pc());
        }
    }

    @Test
    void anSgi1rWriteSendsAnIpi() {
        int[] code = {0xd518cba1 /* msr icc_sgi1r_el1, x1 */, 0xd538cba2 /* mrs x2, icc_sgi1r_el1: UNDEFINED */};
        try (Guest g = new Guest(code)) {
            g.edit(b -> b.sys(SystemRegister.VBAR_EL1, R + 0x800));
            g.load(R + 0xa00, 0xd4000002); // hvc #0 at the synchronous vector
            g.vcpu.setGpr(1, 5L << 24 | 1L << 16 | 0b101); // INTID 5, Aff1 1, targets 0 and 2
            assertEquals(new VCpuExit.SendIpi(1L << 8, 0b101, false, false, 5), g.run());
            assertEquals(R + 4, g.pc());
            assertInstanceOf(VCpuExit.Hypercall.class, g.run(), "reading the write-only register is UNDEFINED");
            assertEquals(0x0200_0000L, g.state().sys(SystemRegister.ESR_EL1));
        }
    }
}
