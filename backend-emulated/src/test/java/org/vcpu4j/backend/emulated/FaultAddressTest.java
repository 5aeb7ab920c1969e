package org.vcpu4j.backend.emulated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.vcpu4j.backend.emulated.Guest.PAD_TO;

import org.junit.jupiter.api.Test;
import org.vcpu4j.api.AccessKind;
import org.vcpu4j.api.VCpuExit;
import org.vcpu4j.api.aarch64.SystemRegister;
import org.vcpu4j.api.aarch64.Vec128;

/**
 * The fault address of accesses that cross a page boundary whose second page faults (issue 11, item 7):
 * FAR_EL1 and the NestedPageFault address name the first byte of the faulting page, not the last byte
 * of the access. See {@link PageCrossingMmioTest} for the QEMU probe these cases were checked against.
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
class FaultAddressTest {
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
