package org.vcpu4j.backend.emulated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.vcpu4j.backend.emulated.Guest.PAD_TO;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.vcpu4j.api.AccessWidth;
import org.vcpu4j.api.VCpuExit;
import org.vcpu4j.api.aarch64.SystemRegister;
import org.vcpu4j.api.aarch64.Vec128;

/**
 * Single-register loads and stores that cross a page boundary between RAM and guest-physical space with
 * nothing behind it (issue 11, item 6).
 *
 * <p>The oracle is QEMU TCG (qemu-system-aarch64 -M virt -cpu cortex-a76 -m 128M, a bare-metal probe run
 * by hand, RAM ending at END = 0x4800_0000 with nothing behind it), which splits a page-crossing access
 * into its page parts (accel/tcg/cputlb.c, mmu_lookup) and sends each part where its page goes: for every
 * probe below it reported a synchronous external abort (ESR_EL1 0x96000010 / 0x96000050) with FAR_EL1 =
 * END, the first byte outside RAM, left load destinations unchanged, and had written the RAM part of
 * every store (str x at END-4: 4 bytes, str w at END-2: 2, str x at END-3: 3, stp x at END-8: 8, str q
 * at END-8: 8, st1 {2 x .16b} at END-20: 20). Here the part outside RAM goes to the VMM instead: a
 * single-register load or store becomes MMIO exits for exactly the bytes outside RAM, in QEMU's pieces
 * (naturally aligned, do_ld_mmio_beN/do_st_mmio_leN), after the RAM part was done against RAM; an
 * instruction without a valid syndrome (pairs, SIMD&amp;FP, structures, writeback) is a NestedPageFault at
 * the first byte outside RAM with nothing changed.
 */
class PageCrossingMmioTest {
    private static final long R = Guest.RAM;
    private static final long END = Guest.RAM + Guest.RAM_SIZE;
    private static final long VBAR = R + 0x800;

    private static final int LDR_X = 0xf9400020; // ldr x0, [x1]
    private static final int STR_X = 0xf9000020; // str x0, [x1]
    private static final int LDR_W = 0xb9400020; // ldr w0, [x1]
    private static final int LDRSW = 0xb9800020; // ldrsw x0, [x1]
    private static final int LDRSH_W = 0x79c00020; // ldrsh w0, [x1]
    private static final int LDP_X = 0xa9400c20; // ldp x0, x3, [x1]
    private static final int STP_X = 0xa9000c20; // stp x0, x3, [x1]
    private static final int LDP_W = 0x29400c20; // ldp w0, w3, [x1]
    private static final int STP_W = 0x29000c20; // stp w0, w3, [x1]
    private static final int LDR_Q = 0x3dc00020; // ldr q0, [x1]
    private static final int STR_Q = 0x3d800020; // str q0, [x1]
    private static final int LD1_2D = 0x4c40ac20; // ld1 {v0.2d, v1.2d}, [x1]
    private static final int ST1_2D = 0x4c00ac20; // st1 {v0.2d, v1.2d}, [x1]
    private static final int LD1_16B = 0x4c40a020; // ld1 {v0.16b, v1.16b}, [x1]
    private static final int LDR_X_POST = 0xf8408420; // ldr x0, [x1], #8
    private static final int STR_X_PRE = 0xf8008c20; // str x0, [x1, #8]!
    private static final int LDR_D = 0xfd400020; // ldr d0, [x1]

    private static final long RAM_FILL = 0x5555_5555_5555_5555L;
    private static final long X0 = 0x1122_3344_5566_7788L;
    private static final long X3 = 0x99AA_BBCC_DDEE_FF00L;

    /** The instruction under test, then HVC #1; the handler at VBAR + 0x200 saves ESR, ELR and FAR and HVC #0. */
    private static Guest guest(int instruction, boolean mmu) {
        Guest g = new Guest(instruction, 0xd4000022, PAD_TO, 0xa00,
                0xd5385214, // mrs x20, esr_el1
                0xd5384035, // mrs x21, elr_el1
                0xd5386016, // mrs x22, far_el1
                0xd4000002); // hvc #0
        if (mmu) {
            g.enableMmu(true);
            // also map the gigabyte below RAM (Normal), so that an access can start outside RAM and end in it
            g.writeLong(Guest.IDENTITY_L1, 1L << 10 | 1L << 2 | 1);
        }
        g.edit(s -> s.sys(SystemRegister.VBAR_EL1, VBAR).sys(SystemRegister.CPACR_EL1, 3L << 20)
                .x(0, X0).x(3, X3).v(0, new Vec128(X0, X3))
                .v(1, new Vec128(X3, X0)));
        for (long a = END - 0x40; a < END - 8; a += 8) {
            g.writeLong(a, RAM_FILL);
        }
        g.writeLong(END - 8, RAM_FILL);
        return g;
    }

    private static Guest at(int instruction, boolean mmu, long address) {
        Guest g = guest(instruction, mmu);
        g.vcpu.setGpr(1, address);
        return g;
    }

    private static void assertNextIsTheProgramsHvc(Guest g) {
        VCpuExit exit = g.run();
        assertInstanceOf(VCpuExit.Hypercall.class, exit, "the instruction completed, got " + exit);
        assertEquals(R + 8, g.pc(), "the program's own HVC, not the handler's");
    }

    // ------------------------------------------------------------------ item 6: single registers, MMU on

    @Test
    void loadOfXStraddlingTheEndOfRamReadsTheRamHalfAndExitsForTheRest() {
        try (Guest g = at(LDR_X, true, END - 4)) {
            // before the fix: MmioRead(END, QWORD), and the completed value replaced all 8 bytes
            assertEquals(new VCpuExit.MmioRead(END, AccessWidth.DWORD, 0, AccessWidth.QWORD, false), g.run());
            assertEquals(R + 4, g.pc(), "PC past the load, as for every MMIO exit");
            g.vcpu.completeMmioRead(0xAABB_CCDDL);
            assertNextIsTheProgramsHvc(g);
            assertEquals(0xAABB_CCDD_5555_5555L, g.x(0), "low 4 bytes from RAM, high 4 from the device");
        }
    }

    @Test
    void storeOfXStraddlingTheEndOfRamWritesTheRamHalfAndExitsForTheRest() {
        try (Guest g = at(STR_X, true, END - 4)) {
            // before the fix: MmioWrite(END + 3, QWORD, x0) and the RAM half never written
            assertEquals(new VCpuExit.MmioWrite(END, AccessWidth.DWORD, 0x1122_3344L), g.run());
            assertEquals(0x5566_7788_5555_5555L, g.readLong(END - 8), "the RAM half is written (QEMU: 4 bytes)");
            assertNextIsTheProgramsHvc(g);
        }
    }

    @Test
    void signExtendingLoadsMergeBeforeExtending() {
        try (Guest g = at(LDRSW, true, END - 2)) {
            assertEquals(new VCpuExit.MmioRead(END, AccessWidth.WORD, 0, AccessWidth.QWORD, false), g.run());
            g.vcpu.completeMmioRead(0x8001);
            assertNextIsTheProgramsHvc(g);
            assertEquals(0xFFFF_FFFF_8001_5555L, g.x(0), "bits 15:0 from RAM, 31:16 from the device, sign-extended");
        }
        try (Guest g = at(LDRSH_W, true, END - 1)) {
            assertEquals(new VCpuExit.MmioRead(END, AccessWidth.BYTE, 0, AccessWidth.DWORD, false), g.run());
            g.vcpu.completeMmioRead(0xF0);
            assertNextIsTheProgramsHvc(g);
            assertEquals(0xFFFF_F055L, g.x(0), "a W destination: sign-extended to 32 bits, bits 63:32 clear");
        }
        try (Guest g = at(LDR_W, true, END - 3)) {
            assertEquals(new VCpuExit.MmioRead(END, AccessWidth.BYTE, 0, AccessWidth.DWORD, false), g.run());
            g.vcpu.completeMmioRead(0x1FF); // only the piece's width counts
            assertNextIsTheProgramsHvc(g);
            assertEquals(0x0000_0000_FF55_5555L, g.x(0), "a W load clears bits 63:32");
        }
    }

    @Test
    void aPartOutsideRamThatIsNotAPowerOfTwoGoesOutInQemusAlignedPieces() {
        // 5 bytes at END: ctz(5 | END | 8) = 0, so QEMU's do_ld_mmio_beN reads them one byte at a time
        try (Guest g = at(LDR_X, true, END - 3)) {
            for (int i = 0; i < 5; i++) {
                assertEquals(new VCpuExit.MmioRead(END + i, AccessWidth.BYTE, 0, AccessWidth.QWORD, false), g.run(),
                        "piece " + i);
                assertEquals(X0, g.x(0), "the destination is written once, after the last piece");
                g.vcpu.completeMmioRead(0xA1 + i);
            }
            assertNextIsTheProgramsHvc(g);
            assertEquals(0xA5A4_A3A2_A155_5555L, g.x(0));
        }
        // 6 bytes at END: three halfwords
        try (Guest g = at(STR_X, true, END - 2)) {
            List<VCpuExit> exits = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                exits.add(g.run());
            }
            assertEquals(List.of(new VCpuExit.MmioWrite(END, AccessWidth.WORD, 0x5566L),
                    new VCpuExit.MmioWrite(END + 2, AccessWidth.WORD, 0x3344L),
                    new VCpuExit.MmioWrite(END + 4, AccessWidth.WORD, 0x1122L)), exits);
            assertEquals(0x7788_5555_5555_5555L, g.readLong(END - 8), "the 2 RAM bytes are written");
            assertNextIsTheProgramsHvc(g);
        }
    }

    @Test
    void anAccessThatStartsOutsideRamExitsFirstThenUsesRam() {
        try (Guest g = at(LDR_X, true, R - 4)) {
            long ramLow = g.readInt(R) & 0xFFFF_FFFFL; // the code word
            assertEquals(new VCpuExit.MmioRead(R - 4, AccessWidth.DWORD, 0, AccessWidth.QWORD, false), g.run());
            g.vcpu.completeMmioRead(0x0BAD_BEEFL);
            assertNextIsTheProgramsHvc(g);
            assertEquals(ramLow << 32 | 0x0BAD_BEEFL, g.x(0), "bytes 4-7 come from RAM's first word");
        }
        try (Guest g = at(STR_X, true, R - 4)) {
            assertEquals(new VCpuExit.MmioWrite(R - 4, AccessWidth.DWORD, 0x5566_7788L), g.run());
            assertEquals(STR_X, g.readInt(R), "the RAM part is written only after the MMIO part");
            assertNextIsTheProgramsHvc(g);
            assertEquals(0x1122_3344, g.readInt(R), "then the RAM part is written");
        }
    }

    @Test
    void anExternalAbortOnThePartOutsideRamNamesItsFirstByte() {
        try (Guest g = at(LDR_X, true, END - 4)) {
            assertInstanceOf(VCpuExit.MmioRead.class, g.run());
            g.vcpu.completeMmioWithExternalAbort();
            assertInstanceOf(VCpuExit.Hypercall.class, g.run());
            // QEMU: ESR_EL1 0x96000010 (EC 0x25, synchronous external abort), FAR_EL1 = END, x3 unchanged
            assertEquals(0x9600_0010L, g.x(20), "ESR_EL1");
            assertEquals(R, g.x(21), "ELR_EL1: the load");
            assertEquals(END, g.x(22), "FAR_EL1: the first byte outside RAM");
            assertEquals(X0, g.x(0), "the destination is unchanged");
        }
        try (Guest g = at(STR_X, true, END - 2)) {
            assertInstanceOf(VCpuExit.MmioWrite.class, g.run());
            g.vcpu.completeMmioWithExternalAbort();
            assertInstanceOf(VCpuExit.Hypercall.class, g.run());
            assertEquals(0x9600_0050L, g.x(20), "ESR_EL1: WnR");
            assertEquals(END, g.x(22), "FAR_EL1");
            assertEquals(0x7788_5555_5555_5555L, g.readLong(END - 8), "QEMU too keeps the RAM part of the store");
        }
    }

    @Test
    void withTheMmuOffASingleRegisterAccessCannotStraddleTheEndOfRam() {
        // MMU off: every data access is Device-nGnRnE (Arm ARM D8, stage 1 disabled), and an unaligned
        // access to Device memory is an alignment fault (B2.2.1) before anything moves: only an aligned
        // access reaches the end of RAM, and an aligned access of one register never crosses a page
        try (Guest g = at(LDR_X, false, END - 4)) {
            assertInstanceOf(VCpuExit.Hypercall.class, g.run());
            assertEquals(0x9600_0021L, g.x(20), "ESR_EL1: alignment fault");
            assertEquals(END - 4, g.x(22), "FAR_EL1");
            assertEquals(X0, g.x(0));
        }
        try (Guest g = at(STR_X, false, END - 4)) {
            assertInstanceOf(VCpuExit.Hypercall.class, g.run());
            assertEquals(0x9600_0061L, g.x(20), "ESR_EL1: alignment fault, WnR");
            assertEquals(RAM_FILL, g.readLong(END - 8), "nothing stored");
        }
        try (Guest g = at(LDR_X, false, END - 8)) {
            assertInstanceOf(VCpuExit.Hypercall.class, g.run(), "aligned and inside RAM: no exit");
            assertEquals(RAM_FILL, g.x(0));
        }
    }

    @Test
    void restoreStateBetweenPiecesForgetsTheRest() {
        try (Guest g = at(LDR_X, true, END - 3)) {
            assertInstanceOf(VCpuExit.MmioRead.class, g.run());
            g.edit(s -> s.pc(R + 4));
            assertInstanceOf(VCpuExit.Hypercall.class, g.run(), "the restored state runs, not the old access");
            assertEquals(R + 8, g.pc());
            assertEquals(X0, g.x(0));
        }
    }
}
