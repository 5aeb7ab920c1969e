package org.vcpu4j.backend.emulated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.vcpu4j.backend.emulated.Guest.PAD_TO;

import org.junit.jupiter.api.Test;
import org.vcpu4j.api.AccessWidth;
import org.vcpu4j.api.VCpuExit;
import org.vcpu4j.api.aarch64.SystemRegister;

/**
 * Unaligned data accesses: allowed to Normal memory while SCTLR_EL1.A is clear; with it set, or to Device
 * memory (every data access while the MMU is off), an alignment fault (data abort from the current EL,
 * DFSC 0x21) at the access, with FAR_EL1 its address.
 */
class AlignmentTest {
    private static final long R = Guest.RAM;
    private static final long VBAR = R + 0x800;
    /** SCTLR_EL1.A, bit 1. */
    private static final long SCTLR_A = 1L << 1;

    private static final int[] PROGRAM = {
        0xd2a80000, // 0x00 mov x0, #0x40000000
        0x91200000, // 0x04 add x0, x0, #0x800
        0xd518c000, // 0x08 msr vbar_el1, x0
        0xf9400041, // 0x0c ldr x1, [x2]
        0xb9000041, // 0x10 str w1, [x2]
        0xa94010a3, // 0x14 ldp x3, x4, [x5]
        0xd4000022, // 0x18 hvc #1
        0x4c407040, // 0x1c ld1 {v0.16b}, [x2]
        0x4c407840, // 0x20 ld1 {v0.4s}, [x2]
        0xd4000022, // 0x24 hvc #1
        0xd50b7422, // 0x28 dc zva, x2
        0xd4000022, // 0x2c hvc #1
        PAD_TO, 0xa00, // VBAR + 0x200: current EL with SP_ELx, synchronous
        0xd5385214, // 0xa00 mrs x20, esr_el1
        0xd5384035, // 0xa04 mrs x21, elr_el1
        0xd5386016, // 0xa08 mrs x22, far_el1
        0xd4000002, // 0xa0c hvc #0
    };

    @Test
    void unalignedAccessesToNormalMemoryWorkWhileSctlrAIsClear() {
        try (Guest g = new Guest(PROGRAM)) {
            g.enableMmu(true);
            g.writeLong(R + 0x1000, 0x1122_3344_5566_7788L);
            g.writeLong(R + 0x1008, 0x99AA_BBCC_DDEE_FF00L);
            g.vcpu.setGpr(2, R + 0x1001);
            g.vcpu.setGpr(5, R + 0x1004);
            assertInstanceOf(VCpuExit.Hypercall.class, g.run());
            assertEquals(R + 0x1c, g.pc(), "the program's own HVC, not the handler's");
            assertEquals(0x0011_2233_4455_6677L, g.x(1));
            assertEquals(0xDDEE_FF00_1122_3344L, g.x(3), "LDP at +4: bytes 4-11");
            assertEquals(0x99AA_BBCCL, g.x(4), "bytes 12-19");
            assertEquals(0x1122_3344_5566_7788L, g.readLong(R + 0x1000), "the STR put bytes 1-4 back as read");
        }
    }

    @Test
    void withSctlrAEveryUnalignedAccessFaultsAtItself() {
        try (Guest g = new Guest(PROGRAM)) {
            g.edit(s -> s.sys(SystemRegister.SCTLR_EL1, s.build().sys(SystemRegister.SCTLR_EL1) | SCTLR_A));
            g.vcpu.setGpr(2, R + 0x1001);
            expectAlignmentFault(g, 0x9600_0021L, R + 0x0c, R + 0x1001); // LDR X: EC 0x25, IL, DFSC 0x21
            g.edit(s -> s.pc(R + 0x10));
            g.vcpu.setGpr(2, R + 0x1006);
            expectAlignmentFault(g, 0x9600_0061L, R + 0x10, R + 0x1006); // STR W: WnR
            g.edit(s -> s.pc(R + 0x14));
            g.vcpu.setGpr(5, R + 0x1004);
            expectAlignmentFault(g, 0x9600_0021L, R + 0x14, R + 0x1004); // LDP X: each X must be aligned
            g.edit(s -> s.pc(R + 0x10));
            g.vcpu.setGpr(2, R + 0x1004);
            g.vcpu.setGpr(5, R + 0x1008);
            assertInstanceOf(VCpuExit.Hypercall.class, g.run(), "aligned: no fault");
            assertEquals(R + 0x1c, g.pc(), "the program's own HVC, not the handler's");
        }
    }

    @Test
    void withTheMmuOffDataAccessesAreToDeviceMemoryAndMustBeAligned() {
        try (Guest g = new Guest(PROGRAM)) {
            g.vcpu.setGpr(2, R + 0x1001);
            expectAlignmentFault(g, 0x9600_0021L, R + 0x0c, R + 0x1001);
            g.edit(s -> s.pc(R + 0x10));
            g.vcpu.setGpr(2, R + 0x1006);
            expectAlignmentFault(g, 0x9600_0061L, R + 0x10, R + 0x1006);
            assertEquals(0, g.readLong(R + 0x1000), "the faulting store wrote nothing");
            g.edit(s -> s.pc(R + 0x10));
            g.vcpu.setGpr(2, R + 0x1004);
            g.vcpu.setGpr(5, R + 0x1008);
            assertInstanceOf(VCpuExit.Hypercall.class, g.run(), "aligned: no fault");
            assertEquals(R + 0x1c, g.pc(), "the program's own HVC, not the handler's");
        }
    }

    @Test
    void anUnalignedAccessToADeviceMappingFaultsButAnUnmappedAddressIsATranslationFaultFirst() {
        try (Guest g = new Guest(PROGRAM)) {
            g.enableMmu(false);
            g.vcpu.setGpr(2, R + 0x1001);
            expectAlignmentFault(g, 0x9600_0021L, R + 0x0c, R + 0x1001);
            g.edit(s -> s.pc(R + 0x0c));
            g.vcpu.setGpr(2, 0x8000_0001L); // gigabyte 2: no descriptor
            expectAlignmentFault(g, 0x9600_0005L, R + 0x0c, 0x8000_0001L); // translation fault, level 1
            g.edit(s -> s.pc(R + 0x0c)
                    .sys(SystemRegister.SCTLR_EL1, s.build().sys(SystemRegister.SCTLR_EL1) | SCTLR_A));
            expectAlignmentFault(g, 0x9600_0021L, R + 0x0c, 0x8000_0001L); // SCTLR_EL1.A: before translation
        }
    }

    @Test
    void anUnalignedAccessToDeviceMemoryWithNothingBehindItFaultsAtEl1InsteadOfExiting() {
        try (Guest g = new Guest(PROGRAM)) {
            g.vcpu.setGpr(2, Guest.UART + 2);
            expectAlignmentFault(g, 0x9600_0021L, R + 0x0c, Guest.UART + 2);
            g.edit(s -> s.pc(R + 0x0c));
            g.vcpu.setGpr(2, Guest.UART);
            assertEquals(new VCpuExit.MmioRead(Guest.UART, AccessWidth.QWORD, 1, AccessWidth.QWORD, false), g.run(), "aligned: an MMIO read");
        }
    }

    @Test
    void dcZvaZeroesNormalMemoryAndFaultsOnDeviceMemory() {
        try (Guest g = new Guest(PROGRAM)) {
            g.writeLong(R + 0x1040, -1);
            g.writeLong(R + 0x1078, -1);
            g.writeLong(R + 0x1080, -1);
            g.edit(s -> s.pc(R + 0x28).sys(SystemRegister.VBAR_EL1, VBAR));
            g.vcpu.setGpr(2, R + 0x1047);
            expectAlignmentFault(g, 0x9600_0061L, R + 0x28, R + 0x1047); // a store; FAR is the operand
            assertEquals(-1, g.readLong(R + 0x1040), "nothing zeroed");
            g.enableMmu(true);
            g.edit(s -> s.pc(R + 0x28));
            assertInstanceOf(VCpuExit.Hypercall.class, g.run());
            assertEquals(R + 0x30, g.pc(), "the program's own HVC, not the handler's");
            assertEquals(0, g.readLong(R + 0x1040), "the 64-byte block holding the address is zero");
            assertEquals(0, g.readLong(R + 0x1078));
            assertEquals(-1, g.readLong(R + 0x1080), "the next block is not");
        }
    }

    @Test
    void structureLoadsAreCheckedPerElement() {
        try (Guest g = new Guest(PROGRAM)) {
            for (int i = 0; i < 32; i++) {
                g.ram.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 0x1000 + i, (byte) i);
            }
            g.edit(s -> s.sys(SystemRegister.SCTLR_EL1, s.build().sys(SystemRegister.SCTLR_EL1) | SCTLR_A)
                    .sys(SystemRegister.VBAR_EL1, VBAR).sys(SystemRegister.CPACR_EL1, 3L << 20).pc(R + 0x1c));
            g.vcpu.setGpr(2, R + 0x1003);
            expectAlignmentFault(g, 0x9600_0021L, R + 0x20, R + 0x1003); // the .16b load passed; .4s faults
            assertEquals(0x0A09_0807_0605_0403L, g.state().v(0).low(), "bytes need no alignment");
            assertEquals(0x1211_100F_0E0D_0C0BL, g.state().v(0).high());
            g.edit(s -> s.pc(R + 0x20));
            g.vcpu.setGpr(2, R + 0x1004);
            assertInstanceOf(VCpuExit.Hypercall.class, g.run(), "words at a word boundary");
            assertEquals(R + 0x28, g.pc());
            assertEquals(0x0B0A_0908_0706_0504L, g.state().v(0).low());
        }
    }

    private static void expectAlignmentFault(Guest g, long esr, long elr, long far) {
        VCpuExit exit = g.run();
        assertInstanceOf(VCpuExit.Hypercall.class, exit, "expected the handler's HVC, got " + exit);
        assertEquals(VBAR + 0x210, g.pc(), "the handler at VBAR + 0x200 ran");
        assertEquals(esr, g.x(20), () -> "ESR_EL1 0x" + Long.toHexString(g.x(20)));
        assertEquals(elr, g.x(21), "ELR_EL1");
        assertEquals(far, g.x(22), "FAR_EL1");
    }
}
