package org.vcpu4j.backend.emulated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.vcpu4j.backend.emulated.Guest.PAD_TO;

import org.junit.jupiter.api.Test;
import org.vcpu4j.api.AccessWidth;
import org.vcpu4j.api.VCpuExit;

/**
 * Stage-1 translation with the 4 KiB granule: a guest turns its MMU on over tables the test builds
 * (39-bit VAs, walks from level 1), then exercises permissions, the access flag, unmapped addresses,
 * TTBR1, device blocks that reach MMIO, AT, PXN, TLBI and EL0 permissions.
 */
class MmuTest {
    private static final long R = Guest.RAM;
    private static final long VBAR = R + 0x800;
    private static final long L1 = R + 0x10000;
    private static final long L2_LOW = R + 0x11000;
    private static final long L2_RAM = R + 0x12000;
    private static final long L3 = R + 0x13000;
    private static final long L1_HIGH = R + 0x14000;
    private static final long HIGH = 0xFFFF_FF80_0000_0000L;

    // VMSAv8-64 descriptor bits (Arm ARM D8.3): valid, table/page, AF, AP[2:1], PXN, UXN, AttrIndx.
    private static final long TABLE = 3;
    private static final long BLOCK = 1;
    private static final long PAGE = 3;
    private static final long AF = 1L << 10;
    private static final long AP_EL0 = 1L << 6;
    private static final long AP_RO = 1L << 7;
    private static final long PXN = 1L << 53;
    private static final long NORMAL = 1L << 2; // AttrIndx 1
    /** T0SZ = T1SZ = 25 (39-bit), TG0 4K, TG1 4K, IPS 48-bit. */
    private static final long TCR = 25 | 25L << 16 | 2L << 30 | 5L << 32;
    private static final long MAIR = 0xFFL << 8; // Attr0 Device-nGnRnE, Attr1 Normal WB

    private static final int[] PROGRAM = {
            0xd2a80000, // 0x000 _start: mov x0, #0x40000000
            0x91200000, // 0x004 add x0, x0, #0x800
            0xd518c000, // 0x008 msr vbar_el1, x0
            0xd5182001, // 0x00c msr ttbr0_el1, x1
            0xd5182024, // 0x010 msr ttbr1_el1, x4
            0xd5182042, // 0x014 msr tcr_el1, x2
            0xd518a203, // 0x018 msr mair_el1, x3
            0xd5033fdf, // 0x01c isb
            0xd5381005, // 0x020 mrs x5, sctlr_el1
            0xb24000a5, // 0x024 orr x5, x5, #0x1
            0xd5181005, // 0x028 msr sctlr_el1, x5
            0xd5033fdf, // 0x02c isb
            0xf94000e6, // 0x030 ldr x6, [x7]
            0xf90000e6, // 0x034 str x6, [x7]
            0xf9400128, // 0x038 ldr x8, [x9]
            0xf940016a, // 0x03c ldr x10, [x11]
            0xf94001ac, // 0x040 ldr x12, [x13]
            0xf90001ee, // 0x044 str x14, [x15]
            0xd508780d, // 0x048 at s1e1r, x13
            0xd5387411, // 0x04c mrs x17, par_el1
            0xd5087827, // 0x050 at s1e1w, x7
            0xd5387413, // 0x054 mrs x19, par_el1
            0xd61f0240, // 0x058 br x18
            0xd4000022, // 0x05c back: hvc #0x1
            0xf94000fa, // 0x060 ldr x26, [x7]
            0xd508871f, // 0x064 tlbi vmalle1
            0xd5033f9f, // 0x068 dsb sy
            0xd5033fdf, // 0x06c isb
            0xf94000fb, // 0x070 ldr x27, [x7]
            0xd2800000, // 0x074 mov x0, #0x0
            0xd5184000, // 0x078 msr spsr_el1, x0
            0xd518403c, // 0x07c msr elr_el1, x28
            0xd69f03e0, // 0x080 eret
            PAD_TO, 0xa00,
            0xd5385214, // 0xa00 mrs x20, esr_el1
            0xd5384035, // 0xa04 mrs x21, elr_el1
            0xd5386016, // 0xa08 mrs x22, far_el1
            0xd5384017, // 0xa0c mrs x23, spsr_el1
            0x10000018, // 0xa10 adr x24, 40000a10 <back+0x9b4>
            0xd4000002, // 0xa14 hvc #0x0
            0x8b1902b5, // 0xa18 add x21, x21, x25
            0xd5184035, // 0xa1c msr elr_el1, x21
            0xd69f03e0, // 0xa20 eret
            PAD_TO, 0xc00,
            0xd5385214, // 0xc00 mrs x20, esr_el1
            0xd5384035, // 0xc04 mrs x21, elr_el1
            0xd5386016, // 0xc08 mrs x22, far_el1
            0xd5384017, // 0xc0c mrs x23, spsr_el1
            0x10000018, // 0xc10 adr x24, 40000c10 <back+0xbb4>
            0xd4000002, // 0xc14 hvc #0x0
            0x8b1902b5, // 0xc18 add x21, x21, x25
            0xd5184035, // 0xc1c msr elr_el1, x21
            0xd69f03e0, // 0xc20 eret
    };

    private static void page(Guest g, int index, long descriptor) {
        g.writeLong(L3 + 8L * index, descriptor);
    }

    private static void buildTables(Guest g) {
        g.writeLong(L1, L2_LOW | TABLE);
        g.writeLong(L1 + 8, L2_RAM | TABLE);
        g.writeLong(L2_LOW + 8 * (Guest.UART >>> 21), Guest.UART | AF | BLOCK); // Device, AttrIndx 0
        g.writeLong(L2_RAM, L3 | TABLE);
        for (int i = 0; i < 0x20; i++) {
            page(g, i, (R + 0x1000L * i) | AF | NORMAL | PAGE);
        }
        page(g, 0x20, (R + 0x30000) | AF | AP_RO | NORMAL | PAGE);
        page(g, 0x21, (R + 0x31000) | NORMAL | PAGE); // AF = 0
        page(g, 0x22, (R + 0x32000) | AF | AP_EL0 | PXN | NORMAL | PAGE);
        page(g, 0x23, (R + 0x33000) | AF | PXN | NORMAL | PAGE);
        g.writeLong(L1_HIGH + 8, L2_RAM | TABLE);
    }

    private static void expectAbort(Guest g, long vectorOffset, long esr, long elr, long far) {
        VCpuExit exit = g.run();
        assertInstanceOf(VCpuExit.Hypercall.class, exit, "expected the handler's HVC, got " + exit);
        assertEquals(VBAR + vectorOffset, g.x(24) - 0x10, "vector");
        assertEquals(esr, g.x(20), () -> "ESR_EL1 0x" + Long.toHexString(g.x(20)));
        assertEquals(elr, g.x(21), "ELR_EL1");
        assertEquals(far, g.x(22), "FAR_EL1");
    }

    @Test
    void translationPermissionsAndFaults() {
        try (Guest g = new Guest(PROGRAM)) {
            buildTables(g);
            g.writeLong(R + 0x30000, 0x1111);
            g.writeLong(R + 0x100, 0x2222);
            g.writeLong(R + 0x35000, 0x3333);
            g.writeLong(R + 0x32100, -1);
            g.load(R + 0x32000, 0xf9400020, 0xf9000040, 0xd40000a1); // ldr x0,[x1]; str x0,[x2]; svc #5
            long[] regs = {
                1, L1, 2, TCR, 3, MAIR, 4, L1_HIGH, 7, R + 0x20000, 9, R + 0x21000, 11, R + 0x24000,
                13, HIGH + 0x4000_0100L, 14, 0xAB, 15, Guest.UART + 0x10, 18, R + 0x23000, 28, R + 0x22000,
                25, 4,
            };
            for (int i = 0; i < regs.length; i += 2) {
                g.vcpu.setGpr((int) regs[i], regs[i + 1]);
            }
            expectAbort(g, 0x200, 0x9600_004FL, R + 0x34, R + 0x20000); // write to read-only: permission L3
            assertEquals(0x1111, g.x(6), "the read-only page reads");
            expectAbort(g, 0x200, 0x9600_000BL, R + 0x38, R + 0x21000); // access flag fault L3
            expectAbort(g, 0x200, 0x9600_0007L, R + 0x3c, R + 0x24000); // translation fault L3
            assertEquals(new VCpuExit.MmioWrite(Guest.UART + 0x10, AccessWidth.QWORD, 0xAB), g.run(),
                    "a device block reaches MMIO at the physical address");
            assertEquals(0x2222, g.x(12), "TTBR1 maps the high VA onto RAM");
            g.vcpu.setGpr(25, R + 0x5c - (R + 0x23000));
            expectAbort(g, 0x200, 0x8600_000FL, R + 0x23000, R + 0x23000); // PXN: instruction abort, permission L3
            assertEquals(0xFFL << 56 | R | 0x980, g.x(17), "PAR_EL1 of AT S1E1R: ATTR, PA, SH, RES1");
            assertEquals(0x1F, g.x(19), "PAR_EL1 of AT S1E1W on a read-only page: F=1, FST permission L3");

            assertInstanceOf(VCpuExit.Hypercall.class, g.run()); // hvc #1 at "back"
            page(g, 0x20, (R + 0x35000) | AF | NORMAL | PAGE);
            g.vcpu.setGpr(1, R); // EL1-only page for the EL0 code
            g.vcpu.setGpr(2, R + 0x22100);
            expectAbort(g, 0x400, 0x9200_000FL, R + 0x22000, R); // EL0 read of an EL1 page: EC 0x24
            assertEquals(0x3333, g.x(27), "after TLBI the new mapping is used");
            g.vcpu.setGpr(25, 4); // skip the faulting load
            expectAbort(g, 0x400, 0x5600_0005L, R + 0x2200c, R);
            assertEquals(0, g.x(0), "the faulting load left x0 alone");
            assertEquals(0, g.readLong(R + 0x32100), "EL0 stored x0 (0) to its own page");
        }
    }

    @Test
    void walkIntoNothingIsANestedPageFault() {
        try (Guest g = new Guest(PROGRAM)) {
            g.vcpu.setGpr(1, 0x7000_0000L); // TTBR0 outside every region
            g.vcpu.setGpr(2, TCR);
            VCpuExit exit = g.run();
            assertInstanceOf(VCpuExit.NestedPageFault.class, exit, "the walk for the next fetch reads no memory");
        }
    }
}
