package org.vcpu4j.backend.emulated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.vcpu4j.backend.emulated.EdgeOfRam.*;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.vcpu4j.api.AccessWidth;
import org.vcpu4j.api.VCpuExit;

/**
 * Single-register loads and stores that cross a page boundary between RAM and guest-physical space with
 * nothing behind it (issue 11, item 6).
 *
 * <p>The cases were checked against QEMU TCG; see {@link EdgeOfRam} for the probe and what it showed.
 */
class PageCrossingMmioTest {

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
