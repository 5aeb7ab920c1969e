package org.vcpu4j.backend.hvf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.vcpu4j.api.AccessWidth;
import org.vcpu4j.api.VCpuExit;
import org.vcpu4j.backend.hvf.sys.HvReg;
import org.vcpu4j.spi.aarch64.DataAbortIss;
import org.vcpu4j.property.Gen;
import org.vcpu4j.property.Property;
import org.vcpu4j.spi.aarch64.Esr;

/** MMIO load completion through the backend, against the architecture's definition of a load. */
class HvfCompletionProperties {

    /** The load's shape: its width, sign extension, register width and target register. */
    private record Load(AccessWidth width, boolean sse, boolean sixtyFour, int rt) {}

    @Test
    void aCompletedLoadLeavesWhatTheArchitectureSays() {
        Gen<Load> loads = Gen.combine(Gen.of(AccessWidth.class), Gen.booleans(), Gen.booleans(),
                Gen.integers().between(0, 31)).as(Load::new);
        Property.forAll(loads, Gen.longs(), Gen.longs()).tries(200).check((load, device, before) -> {
            AccessWidth width = load.width();
            boolean sse = load.sse();
            boolean sixtyFour = load.sixtyFour();
            int rt = load.rt();
            try (Rig r = Rig.bound()) {
                r.api.exception(Esr.encode(Esr.EC_DABT_LOWER, true,
                        DataAbortIss.mmio(width, sse, rt, sixtyFour, false, false).encode()), 0x0900_0000L);
                if (rt != 31) {
                    r.fake().regs[rt] = before;
                }
                VCpuExit.MmioRead read = (VCpuExit.MmioRead) r.cpu.run();
                long[] beforeCompletion = r.fake().regs.clone();
                r.cpu.completeMmioRead(device);
                long expected = reference(device, width, sse, sixtyFour);
                if (rt == 31) {
                    assertEquals(0, r.cpu.gpr(31));
                    assertArrayEquals(beforeCompletion, r.fake().regs, "a load into XZR changes no register");
                } else {
                    assertEquals(expected, r.fake().regs[rt], read.toString());
                }
                assertEquals(0x4000_0004L, r.fake().regs[HvReg.PC]);
            }
        });
    }

    /** LDR/LDRS* (Arm ARM C6.2): extend the loaded bits to the register, a W write clears bits 63:32. */
    private static long reference(long device, AccessWidth width, boolean sse, boolean sixtyFour) {
        int bits = width.bits();
        long v = bits == 64 ? device : device & ((1L << bits) - 1);
        if (sse && bits < 64 && (v >>> (bits - 1) & 1) != 0) {
            v |= -1L << bits;
        }
        return sixtyFour ? v : v & 0xFFFF_FFFFL;
    }
}
