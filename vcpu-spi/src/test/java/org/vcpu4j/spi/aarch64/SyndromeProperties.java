package org.vcpu4j.spi.aarch64;

import static org.junit.jupiter.api.Assertions.assertEquals;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.vcpu4j.api.AccessWidth;
import org.vcpu4j.api.VCpuExit;

/** Encode-then-decode properties of the syndrome layouts, and decode-through-the-decoder agreement. */
class SyndromeProperties {
    /** ISS bits a data abort layout models (13:11 are RES0/VNCR/SET and not modelled). */
    private static final int DATA_ABORT_MODELLED = 0x1FFC7FF;

    @Property
    void dataAbortIssRoundTrips(@ForAll @IntRange(min = 0, max = 0x1FFFFFF) int raw) {
        int iss = raw & DATA_ABORT_MODELLED;
        assertEquals(iss, DataAbortIss.decode(iss).encode());
    }

    @Property
    void sysRegIssRoundTrips(@ForAll @IntRange(min = 0, max = 0x3FFFFF) int iss) {
        assertEquals(iss, SysRegIss.decode(iss).encode());
        assertEquals(iss & SysRegIss.ADDRESS_MASK, SysRegIss.decode(iss).address());
    }

    @Property
    void esrRoundTrips(@ForAll @IntRange(min = 0, max = 0x3F) int ec, @ForAll boolean il,
            @ForAll @IntRange(min = 0, max = 0x1FFFFFF) int iss) {
        long esr = Esr.encode(ec, il, iss);
        assertEquals(ec, Esr.ec(esr));
        assertEquals(il, Esr.il(esr));
        assertEquals(iss, Esr.iss(esr));
    }

    @Property
    void mmioLoadSyndromeDecodesToTheLoadItDescribes(@ForAll @IntRange(min = 0, max = 3) int size,
            @ForAll boolean signed, @ForAll @IntRange(min = 0, max = 31) int rt, @ForAll boolean sf,
            @ForAll long address) {
        AccessWidth width = AccessWidth.ofLog2(size);
        int iss = DataAbortIss.mmio(width, signed, rt, sf, false, false).encode();
        var d = TrapDecoder.decode(Esr.encode(Esr.EC_DABT_LOWER, true, iss), address & Long.MAX_VALUE,
                new TrapDecoderTest.ArrayGprs(new long[31]));
        assertEquals(new VCpuExit.MmioRead(address & Long.MAX_VALUE, width, rt,
                sf ? AccessWidth.QWORD : AccessWidth.DWORD, signed), d.exit());
    }

    @Property
    void mmioStoreCarriesTheMaskedRegisterOrZeroForXzr(@ForAll @IntRange(min = 0, max = 3) int size,
            @ForAll @IntRange(min = 0, max = 31) int rt, @ForAll long value) {
        AccessWidth width = AccessWidth.ofLog2(size);
        long[] x = new long[31];
        java.util.Arrays.fill(x, value);
        int iss = DataAbortIss.mmio(width, false, rt, true, false, true).encode();
        var d = TrapDecoder.decode(Esr.encode(Esr.EC_DABT_LOWER, true, iss), 0x1000, new TrapDecoderTest.ArrayGprs(x));
        assertEquals(new VCpuExit.MmioWrite(0x1000, width, rt == 31 ? 0 : value & width.mask()), d.exit());
    }
}
