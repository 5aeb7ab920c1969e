package org.vcpu4j.backend.emulated;

import static org.vcpu4j.backend.emulated.Guest.PAD_TO;

import org.vcpu4j.api.aarch64.SystemRegister;
import org.vcpu4j.api.aarch64.Vec128;

/**
 * The guest of the edge-of-RAM tests ({@link FaultAddressTest}, {@link PageCrossingMmioTest}): one
 * instruction under test with x1 pointing near the end of RAM, a handler that records ESR, ELR and FAR.
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
final class EdgeOfRam {
    private EdgeOfRam() {
    }

    static final long R = Guest.RAM;
    static final long END = Guest.RAM + Guest.RAM_SIZE;
    static final long VBAR = R + 0x800;

    static final int LDR_X = 0xf9400020; // ldr x0, [x1]
    static final int STR_X = 0xf9000020; // str x0, [x1]
    static final int LDR_W = 0xb9400020; // ldr w0, [x1]
    static final int LDRSW = 0xb9800020; // ldrsw x0, [x1]
    static final int LDRSH_W = 0x79c00020; // ldrsh w0, [x1]
    static final int LDP_X = 0xa9400c20; // ldp x0, x3, [x1]
    static final int STP_X = 0xa9000c20; // stp x0, x3, [x1]
    static final int LDP_W = 0x29400c20; // ldp w0, w3, [x1]
    static final int STP_W = 0x29000c20; // stp w0, w3, [x1]
    static final int LDR_Q = 0x3dc00020; // ldr q0, [x1]
    static final int STR_Q = 0x3d800020; // str q0, [x1]
    static final int LD1_2D = 0x4c40ac20; // ld1 {v0.2d, v1.2d}, [x1]
    static final int ST1_2D = 0x4c00ac20; // st1 {v0.2d, v1.2d}, [x1]
    static final int LD1_16B = 0x4c40a020; // ld1 {v0.16b, v1.16b}, [x1]
    static final int LDR_X_POST = 0xf8408420; // ldr x0, [x1], #8
    static final int STR_X_PRE = 0xf8008c20; // str x0, [x1, #8]!
    static final int LDR_D = 0xfd400020; // ldr d0, [x1]

    static final long RAM_FILL = 0x5555_5555_5555_5555L;
    static final long X0 = 0x1122_3344_5566_7788L;
    static final long X3 = 0x99AA_BBCC_DDEE_FF00L;

    /** The instruction under test, then HVC #1; the handler at VBAR + 0x200 saves ESR, ELR and FAR and HVC #0. */
    static Guest guest(int instruction, boolean mmu) {
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

    static Guest at(int instruction, boolean mmu, long address) {
        Guest g = guest(instruction, mmu);
        g.vcpu.setGpr(1, address);
        return g;
    }
}
