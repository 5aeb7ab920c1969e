package org.vcpu4j.backend.emulated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.vcpu4j.backend.emulated.EdgeOfRam.*;

import org.junit.jupiter.api.Test;
import org.vcpu4j.api.AccessKind;
import org.vcpu4j.api.VCpuExit;

/**
 * The fault address of accesses that cross a page boundary whose second page faults (issue 11, item 7):
 * FAR_EL1 and the NestedPageFault address name the first byte of the faulting page, not the last byte
 * of the access.
 *
 * <p>The cases were checked against QEMU TCG; see {@link EdgeOfRam} for the probe and what it showed.
 */
class FaultAddressTest {

    // ------------------------------------------------------------------ items 6 and 7: no syndrome

    /** Runs one instruction that has no valid syndrome and expects a NestedPageFault naming END. */
    private static void expectNestedPageFaultAtEnd(int instruction, boolean mmu, long address, AccessKind kind) {
        try (Guest g = at(instruction, mmu, address)) {
            VCpuExit exit = g.run();
            assertEquals(new VCpuExit.NestedPageFault(END, kind), exit,
                    () -> String.format("0x%08x at END-%d, MMU %s", instruction, END - address, mmu ? "on" : "off"));
            assertEquals(R, g.pc(), "PC at the faulting instruction");
            assertEquals(X0, g.x(0));
            assertEquals(RAM_FILL, g.readLong(END - 8), "nothing stored");
            assertEquals(RAM_FILL, g.readLong(END - 16), "nothing stored");
        }
    }

    @Test
    void pairsStructuresAndQRegistersNameTheFirstByteOutsideRamWithTheMmuOff() {
        // before the fix: the last byte of the access (END + 7 for LDP X at END - 8)
        expectNestedPageFaultAtEnd(LDP_X, false, END - 8, AccessKind.READ);
        expectNestedPageFaultAtEnd(STP_X, false, END - 8, AccessKind.WRITE);
        expectNestedPageFaultAtEnd(LDP_W, false, END - 4, AccessKind.READ);
        expectNestedPageFaultAtEnd(STP_W, false, END - 4, AccessKind.WRITE);
        expectNestedPageFaultAtEnd(LD1_2D, false, END - 16, AccessKind.READ);
        expectNestedPageFaultAtEnd(ST1_2D, false, END - 16, AccessKind.WRITE);
        expectNestedPageFaultAtEnd(LD1_2D, false, END - 8, AccessKind.READ);
    }

    @Test
    void pairsStructuresQRegistersAndWritebackNameTheFirstByteOutsideRamWithTheMmuOn() {
        expectNestedPageFaultAtEnd(LDP_X, true, END - 12, AccessKind.READ);
        expectNestedPageFaultAtEnd(STP_X, true, END - 12, AccessKind.WRITE);
        expectNestedPageFaultAtEnd(LDR_Q, true, END - 8, AccessKind.READ);
        expectNestedPageFaultAtEnd(STR_Q, true, END - 8, AccessKind.WRITE);
        expectNestedPageFaultAtEnd(LD1_16B, true, END - 20, AccessKind.READ);
        expectNestedPageFaultAtEnd(ST1_2D, true, END - 20, AccessKind.WRITE);
        expectNestedPageFaultAtEnd(LDR_D, true, END - 4, AccessKind.READ);
        expectNestedPageFaultAtEnd(LDR_X_POST, true, END - 4, AccessKind.READ);
        expectNestedPageFaultAtEnd(STR_X_PRE, true, END - 12, AccessKind.WRITE);
    }

    // ------------------------------------------------------------------ item 7: stage-1 faults, FAR_EL1

    /** With the MMU off, PA bit 48 and up is an address size fault (level 0) at the first byte past 2^48. */
    private static void expectFarAtTop(int instruction, long address, boolean write) {
        try (Guest g = at(instruction, false, address)) {
            g.vm.mapRam((1L << 48) - 0x10000, 0x10000); // RAM up to the top of the 48-bit physical space
            assertInstanceOf(VCpuExit.Hypercall.class, g.run());
            assertEquals(0x9600_0000L | (write ? 1 << 6 : 0), g.x(20),
                    () -> "ESR_EL1 0x" + Long.toHexString(g.x(20)));
            assertEquals(R, g.x(21), "ELR_EL1");
            assertEquals(1L << 48, g.x(22), () -> String.format("FAR_EL1 of 0x%08x at 2^48 - %d", instruction,
                    (1L << 48) - address));
        }
    }

    @Test
    void farOfAMultiAccessInstructionIsTheFirstFaultingByte() {
        // before the fix: stores reported 2^48 + 3 (the last byte); QEMU's mmu_lookup faults on page[1].addr
        expectFarAtTop(STP_W, (1L << 48) - 4, true);
        expectFarAtTop(LDP_W, (1L << 48) - 4, false);
        expectFarAtTop(STP_X, (1L << 48) - 8, true);
        expectFarAtTop(LDP_X, (1L << 48) - 8, false);
        expectFarAtTop(ST1_2D, (1L << 48) - 16, true);
        expectFarAtTop(LD1_2D, (1L << 48) - 24, false);
    }

    @Test
    void farOfAPageCrossingAccessWithTheMmuOnIsTheFirstByteOfTheFaultingPage() {
        // VA 2^39 - 0x1000 maps to RAM through L1[511] -> L2[511] -> L3[511]; VA 2^39 is past the 39-bit
        // TTBR0 range (T0SZ 25): a level-0 translation fault there (QEMU: FAR = page[1].addr)
        long top = 1L << 39;
        long l2 = R + 0x10000;
        long l3 = R + 0x11000;
        for (int instruction : new int[] {STR_X, LDR_X, STP_X, LDP_X, STR_Q, LDR_Q, ST1_2D, LD1_16B}) {
            try (Guest g = at(instruction, true, top - 4)) {
                g.writeLong(Guest.IDENTITY_L1 + 8 * 511, l2 | 3);
                g.writeLong(l2 + 8 * 511, l3 | 3);
                g.writeLong(l3 + 8 * 511, (R + 0x2000) | 1L << 10 | 1L << 2 | 3);
                assertInstanceOf(VCpuExit.Hypercall.class, g.run());
                assertEquals(0x25, g.x(20) >>> 26, "a data abort from EL1");
                assertEquals(0x04, g.x(20) & 0x3F, "a translation fault, level 0");
                assertEquals(top, g.x(22), () -> String.format("FAR_EL1 of 0x%08x", instruction));
            }
        }
    }
}
