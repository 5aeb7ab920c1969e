package org.vcpu4j.backend.emulated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.vcpu4j.api.VCpuExit;
import org.vcpu4j.api.aarch64.Aarch64State;
import org.vcpu4j.api.aarch64.SystemRegister;
import org.vcpu4j.api.aarch64.Vec128;

/**
 * The Advanced SIMD structure loads and stores (LD1-LD4, ST1-ST4, LD1R-LD4R; Arm ARM C4.1.88 and C7.2),
 * one instruction per program with expectations worked out by hand from the Arm ARM pseudocode, plus
 * the fault cases: an unallocated encoding, the CPACR_EL1 trap, the SP alignment check and a transfer
 * running off the end of RAM must each leave registers and memory as they were.
 *
 * <p>Every program is the instruction at {@link Guest#RAM} followed by {@code hvc #0}; VBAR_EL1 points at
 * a table whose synchronous-exception entries also hold {@code hvc #0}, so the PC after the exit tells
 * whether the instruction completed.
 */
class StructureTransferTest {
    private static final long R = Guest.RAM;
    private static final long VBAR = R + 0x800;
    /** The data area the instructions address. */
    private static final long DATA = R + 0x1000;
    private static final int HVC0 = 0xd4000002;

    /** LD1-LD4/ST1-ST4 (multiple structures) word: 0 Q 0011 00 P L 0 Rm opcode size Rn Rt. */
    static int multiple(int q, int load, int post, int rm, int opcode, int size, int rn, int rt) {
        return q << 30 | 0x0C00_0000 | post << 23 | load << 22 | rm << 16 | opcode << 12 | size << 10 | rn << 5 | rt;
    }

    /** LD1-LD4/ST1-ST4 (single structure), LD1R-LD4R word: 0 Q 0011 01 P L R Rm opcode S size Rn Rt. */
    static int single(int q, int load, int post, int r, int rm, int opcode, int s, int size, int rn, int rt) {
        return q << 30 | 0x0D00_0000 | post << 23 | load << 22 | r << 21 | rm << 16 | opcode << 13 | s << 12
                | size << 10 | rn << 5 | rt;
    }

    /** A guest running {@code word} with FP/SIMD enabled, the data area at x0 and bytes 0, 1, 2, ... in it. */
    private static Guest guest(int word, UnaryOperator<Aarch64State.Builder> setup) {
        int[] code = new int[0x1000 / 4];
        code[0] = word;
        code[1] = HVC0;
        for (int vector = 0; vector < 0x800; vector += 0x80) {
            code[(0x800 + vector) / 4] = HVC0;
        }
        Guest g = new Guest(code);
        for (int i = 0; i < 128; i += 8) {
            long bytes = 0;
            for (int b = 7; b >= 0; b--) {
                bytes = bytes << 8 | (i + b);
            }
            g.writeLong(DATA + i, bytes);
        }
        g.edit(b -> setup.apply(b.sys(SystemRegister.CPACR_EL1, 3L << 20).sys(SystemRegister.VBAR_EL1, VBAR)
                .x(0, DATA)));
        return g;
    }

    /** Runs the instruction and expects it to complete. */
    private static Aarch64State completes(Guest g) {
        VCpuExit exit = g.run();
        assertInstanceOf(VCpuExit.Hypercall.class, exit);
        Aarch64State s = g.state();
        assertEquals(R + 8, s.pc(), () -> "the instruction took an exception, ESR_EL1 = 0x"
                + Long.toHexString(s.sys(SystemRegister.ESR_EL1)));
        return s;
    }

    /** Runs the instruction and expects a synchronous exception to EL1 with this ESR at the instruction. */
    private static Aarch64State takes(Guest g, long esr) {
        VCpuExit exit = g.run();
        assertInstanceOf(VCpuExit.Hypercall.class, exit);
        Aarch64State s = g.state();
        assertEquals(VBAR + 0x204, s.pc(), "the instruction should have taken an exception to EL1h");
        assertEquals(esr, s.sys(SystemRegister.ESR_EL1), "ESR_EL1");
        assertEquals(R, s.elrEl1(), "ELR_EL1 is the structure instruction");
        return s;
    }

    private static Vec128 v(long low, long high) {
        return new Vec128(low, high);
    }

    @Test
    void ld4DeinterleavesSixteenBytesIntoFourRegisters() {
        // ld4 {v0.16b-v3.16b}, [x0]: byte 4e+s of memory is lane e of v<s>
        try (Guest g = guest(multiple(1, 1, 0, 0, 0b0000, 0, 0, 0), b -> b)) {
            Aarch64State s = completes(g);
            assertEquals(v(0x1C1814100C080400L, 0x3C3834302C282420L), s.v(0));
            assertEquals(v(0x1D1915110D090501L, 0x3D3935312D292521L), s.v(1));
            assertEquals(v(0x1F1B17130F0B0703L, 0x3F3B37332F2B2723L), s.v(3));
            assertEquals(DATA, s.x(0), "no writeback");
        }
    }

    @Test
    void ld1OfOneEightByteRegisterZeroesTheTopHalf() {
        // ld1 {v7.8b}, [x0]
        try (Guest g = guest(multiple(0, 1, 0, 0, 0b0111, 0, 0, 7), b -> b.v(7, v(-1, -1)))) {
            assertEquals(v(0x0706050403020100L, 0), completes(g).v(7));
        }
    }

    @Test
    void ld3RegistersWrapFromV31ToV0AndPostIndexByTheTransferSize() {
        // ld3 {v31.2s, v0.2s, v1.2s}, [x0], #24
        try (Guest g = guest(multiple(0, 1, 1, 31, 0b0100, 2, 0, 31), b -> b.v(0, v(-1, -1)))) {
            Aarch64State s = completes(g);
            assertEquals(v(0x0F0E0D0C_03020100L, 0), s.v(31));
            assertEquals(v(0x13121110_07060504L, 0), s.v(0));
            assertEquals(v(0x17161514_0B0A0908L, 0), s.v(1));
            assertEquals(DATA + 24, s.x(0));
        }
    }

    @Test
    void ld1OfFourRegistersFromSpWritesSpBack() {
        // ld1 {v4.2d-v7.2d}, [sp], #64
        try (Guest g = guest(multiple(1, 1, 1, 31, 0b0010, 3, 31, 4), b -> b.spEl1(DATA))) {
            Aarch64State s = completes(g);
            assertEquals(v(0x0706050403020100L, 0x0F0E0D0C0B0A0908L), s.v(4));
            assertEquals(v(0x3736353433323130L, 0x3F3E3D3C3B3A3938L), s.v(7));
            assertEquals(DATA + 64, s.spEl1());
        }
    }

    @Test
    void st2InterleavesHalfwordsAndPostIndexesByRegister() {
        // st2 {v0.8h, v1.8h}, [x0], x2
        try (Guest g = guest(multiple(1, 0, 1, 2, 0b1000, 1, 0, 0), b -> b.x(2, -5)
                .v(0, v(0xA003_A002_A001_A000L, 0xA007_A006_A005_A004L))
                .v(1, v(0xB003_B002_B001_B000L, 0xB007_B006_B005_B004L)))) {
            Aarch64State s = completes(g);
            assertEquals(0xB001_A001_B000_A000L, g.readLong(DATA));
            assertEquals(0xB007_A007_B006_A006L, g.readLong(DATA + 24));
            assertEquals(0x2726252423222120L, g.readLong(DATA + 32), "nothing past the 32 bytes");
            assertEquals(DATA - 5, s.x(0));
        }
    }

    @Test
    void st1OfAnEightByteRegisterStoresOnlyItsLowHalf() {
        // st1 {v3.4h}, [x0]
        try (Guest g = guest(multiple(0, 0, 0, 0, 0b0111, 1, 0, 3), b -> b.v(3, v(0x1111_2222_3333_4444L, -1)))) {
            completes(g);
            assertEquals(0x1111_2222_3333_4444L, g.readLong(DATA));
            assertEquals(0x0F0E0D0C0B0A0908L, g.readLong(DATA + 8));
        }
    }

    @Test
    void ld2OfOneLaneKeepsEveryOtherLane() {
        // ld2 {v1.s, v2.s}[3], [x0]: Q:S = 11 selects lane 3; a lane load leaves bits 127:64 otherwise alone
        try (Guest g = guest(single(1, 1, 0, 1, 0, 0b100, 1, 0, 0, 1), b -> b.v(1, v(-1, -1)).v(2, v(7, 9)))) {
            Aarch64State s = completes(g);
            assertEquals(v(-1, 0x03020100_FFFFFFFFL), s.v(1));
            assertEquals(v(7, 0x07060504_00000009L), s.v(2));
        }
    }

    @Test
    void ld1OfOneByteLaneInTheLowHalfWithQZeroKeepsTheTopHalf() {
        // ld1 {v9.b}[5], [x0], #1
        try (Guest g = guest(single(0, 1, 1, 0, 31, 0b000, 1, 1, 0, 9), b -> b.x(0, DATA + 0x42).v(9, v(-1, -1)))) {
            Aarch64State s = completes(g);
            assertEquals(v(0xFFFF42FFFFFFFFFFL, -1), s.v(9));
            assertEquals(DATA + 0x43, s.x(0));
        }
    }

    @Test
    void st4OfTheLastByteLaneAndSt1OfTheHighDoubleword() {
        // st4 {v28.b-v31.b}[15], [x0]
        try (Guest g = guest(single(1, 0, 0, 1, 0, 0b001, 1, 3, 0, 28), b -> b
                .v(28, v(0, 0xAA00_0000_0000_0000L)).v(29, v(0, 0xBB00_0000_0000_0000L))
                .v(30, v(0, 0xCC00_0000_0000_0000L)).v(31, v(0, 0xDD00_0000_0000_0000L)))) {
            completes(g);
            assertEquals(0x07060504_DDCCBBAAL, g.readLong(DATA));
        }
        // st1 {v0.d}[1], [x0], x3
        try (Guest g = guest(single(1, 0, 1, 0, 3, 0b100, 0, 1, 0, 0), b -> b.x(3, 1000)
                .v(0, v(1, 0x0123_4567_89AB_CDEFL)))) {
            Aarch64State s = completes(g);
            assertEquals(0x0123_4567_89AB_CDEFL, g.readLong(DATA));
            assertEquals(DATA + 1000, s.x(0));
        }
    }

    @Test
    void ldNrReplicatesEachElementToEveryLane() {
        // ld1r {v5.8h}, [x0]
        try (Guest g = guest(single(1, 1, 0, 0, 0, 0b110, 0, 1, 0, 5), b -> b)) {
            assertEquals(v(0x0100_0100_0100_0100L, 0x0100_0100_0100_0100L), completes(g).v(5));
        }
        // ld3r {v10.2s, v11.2s, v12.2s}, [x0], #12: 64-bit form zeroes bits 127:64
        try (Guest g = guest(single(0, 1, 1, 0, 31, 0b111, 0, 2, 0, 10), b -> b.v(12, v(-1, -1)))) {
            Aarch64State s = completes(g);
            assertEquals(v(0x03020100_03020100L, 0), s.v(10));
            assertEquals(v(0x0B0A0908_0B0A0908L, 0), s.v(12));
            assertEquals(DATA + 12, s.x(0));
        }
        // ld4r {v0.1d-v3.1d}, [x0]
        try (Guest g = guest(single(0, 1, 0, 1, 0, 0b111, 0, 3, 0, 0), b -> b)) {
            Aarch64State s = completes(g);
            assertEquals(v(0x1F1E1D1C1B1A1918L, 0), s.v(3));
        }
    }

    @Test
    void unallocatedEncodingsAreUndefinedAndChangeNothing() {
        int[] unallocated = {
            multiple(1, 1, 0, 0, 0b0001, 0, 0, 0), // opcode 0001
            multiple(1, 1, 0, 0, 0b1111, 0, 0, 0), // opcode 1111
            multiple(0, 1, 0, 0, 0b1000, 3, 0, 0), // ld2 {.1d}: .1D only for LD1/ST1
            multiple(1, 1, 0, 1, 0b0111, 0, 0, 0), // no-offset form with bits 21:16 != 0
            multiple(1, 1, 1, 0x20 | 31, 0b0111, 0, 0, 0), // post-index with bit 21 set
            single(1, 0, 0, 0, 0, 0b110, 0, 0, 0, 0), // store-replicate
            single(1, 1, 0, 0, 0, 0b110, 1, 0, 0, 0), // replicate with S = 1
            single(1, 1, 0, 0, 0, 0b010, 0, 1, 0, 0), // H lane with size<0> = 1
            single(1, 1, 0, 0, 0, 0b100, 0, 2, 0, 0), // S lane with size<1> = 1
            single(1, 1, 0, 0, 0, 0b100, 1, 1, 0, 0), // D lane with S = 1
            single(1, 1, 0, 0, 4, 0b000, 0, 0, 0, 0), // no-offset single with bits 20:16 != 0
        };
        for (int word : unallocated) {
            try (Guest g = guest(word, b -> b.v(0, v(5, 6)))) {
                Aarch64State s = takes(g, 0x0200_0000L);
                assertEquals(v(5, 6), s.v(0), () -> String.format("0x%08x changed v0", word));
                assertEquals(DATA, s.x(0));
            }
        }
    }

    @Test
    void theCpacrTrapComesBeforeAnyAccess() {
        // st1 {v0.16b}, [x0], #16 with CPACR_EL1.FPEN = 00: EC 0x07, ISS 0x1E00000
        try (Guest g = guest(multiple(1, 0, 1, 31, 0b0111, 0, 0, 0), b -> b.sys(SystemRegister.CPACR_EL1, 0)
                .v(0, v(-1, -1)))) {
            Aarch64State s = takes(g, 0x1FE0_0000L);
            assertEquals(0x0706050403020100L, g.readLong(DATA));
            assertEquals(DATA, s.x(0));
        }
    }

    @Test
    void anUnallocatedEncodingIsUndefinedEvenWhenFpIsTrapped() {
        // ld2 {v0.1d, v1.1d}, [x0] does not exist: decode (UNDEFINED) comes before the execute-time
        // CheckFPAdvSIMDEnabled64() in the Arm ARM pseudocode, so EC 0x00, not 0x07
        try (Guest g = guest(multiple(0, 1, 0, 0, 0b1000, 3, 0, 0), b -> b.sys(SystemRegister.CPACR_EL1, 0))) {
            takes(g, 0x0200_0000L);
        }
    }

    @Test
    void aMisalignedSpBaseTakesTheSpAlignmentFault() {
        // ld1 {v0.16b}, [sp], #16 with SP = DATA + 8 and SCTLR_EL1.SA = 1: EC 0x26
        try (Guest g = guest(multiple(1, 1, 1, 31, 0b0111, 0, 31, 0), b -> b.spEl1(DATA + 8)
                .sys(SystemRegister.SCTLR_EL1, 0x30C5_0838L).v(0, v(5, 6)))) {
            Aarch64State s = takes(g, 0x9A00_0000L);
            assertEquals(v(5, 6), s.v(0));
            assertEquals(DATA + 8, s.spEl1());
        }
    }

    @Test
    void aTransferRunningOffTheEndOfRamChangesNothing() {
        long last = R + Guest.RAM_SIZE - 16;
        // ld1 {v0.16b, v1.16b}, [x0], #32: the first 16 bytes are RAM, the next 16 are not
        try (Guest g = guest(multiple(1, 1, 1, 31, 0b1010, 0, 0, 0), b -> b.x(0, last).v(0, v(5, 6)).v(1, v(7, 8)))) {
            VCpuExit exit = g.run();
            VCpuExit.NestedPageFault fault = assertInstanceOf(VCpuExit.NestedPageFault.class, exit);
            assertTrue(fault.address() >= R + Guest.RAM_SIZE && fault.address() < R + Guest.RAM_SIZE + 32,
                    () -> "fault at 0x" + Long.toHexString(fault.address()));
            Aarch64State s = g.state();
            assertEquals(R, s.pc(), "the PC stays at the load");
            assertEquals(v(5, 6), s.v(0));
            assertEquals(v(7, 8), s.v(1));
            assertEquals(last, s.x(0), "no writeback");
        }
        // st4 {v0.4s-v3.4s}, [x0]: 16 of the 64 bytes fit
        try (Guest g = guest(multiple(1, 0, 0, 0, 0b0000, 2, 0, 0), b -> b.x(0, last).v(0, v(-1, -1)))) {
            g.writeLong(last, 0x1234);
            assertInstanceOf(VCpuExit.NestedPageFault.class, g.run());
            assertEquals(0x1234, g.readLong(last), "the part inside RAM was not written");
            assertEquals(0, g.readLong(last + 8));
        }
    }
}
