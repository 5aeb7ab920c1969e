package org.vcpu4j.spi.aarch64;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.vcpu4j.api.AccessWidth;
import org.vcpu4j.api.VCpuExit;
import org.vcpu4j.property.Gen;
import org.vcpu4j.property.Property;

/** Encode-then-decode properties of the syndrome layouts, and decode-through-the-decoder agreement. */
class SyndromeProperties {
    /** ISS bits a data abort layout models (13:11 are RES0/VNCR/SET and not modelled). */
    private static final int DATA_ABORT_MODELLED = 0x1FFC7FF;

    @Test
    void dataAbortIssRoundTrips() {
        Property.forAll(Gen.integers().between(0, 0x1FFFFFF)).check(raw -> {
            int iss = raw & DATA_ABORT_MODELLED;
            assertEquals(iss, DataAbortIss.decode(iss).encode());
        });
    }

    @Test
    void sysRegIssRoundTrips() {
        Property.forAll(Gen.integers().between(0, 0x3FFFFF)).check(iss -> {
            assertEquals(iss, SysRegIss.decode(iss).encode());
            assertEquals(iss & SysRegIss.ADDRESS_MASK, SysRegIss.decode(iss).address());
        });
    }

    @Test
    void esrRoundTrips() {
        Property.forAll(Gen.integers().between(0, 0x3F), Gen.booleans(), Gen.integers().between(0, 0x1FFFFFF))
                .check((ec, il, iss) -> {
                    long esr = Esr.encode(ec, il, iss);
                    assertEquals(ec, Esr.ec(esr));
                    assertEquals(il, Esr.il(esr));
                    assertEquals(iss, Esr.iss(esr));
                });
    }

    @Test
    void mmioLoadSyndromeDecodesToTheLoadItDescribes() {
        Property.forAll(Gen.integers().between(0, 3), Gen.booleans(), Gen.integers().between(0, 31), Gen.booleans(),
                Gen.longs())
                .check((size, signed, rt, sf, address) -> {
            AccessWidth width = AccessWidth.ofLog2(size);
            int iss = DataAbortIss.mmio(width, signed, rt, sf, false, false).encode();
            var d = TrapDecoder.decode(Esr.encode(Esr.EC_DABT_LOWER, true, iss), address & Long.MAX_VALUE,
                    new TrapDecoderTest.ArrayGprs(new long[31]));
            assertEquals(new VCpuExit.MmioRead(address & Long.MAX_VALUE, width, rt,
                    sf ? AccessWidth.QWORD : AccessWidth.DWORD, signed), d.exit());
        });
    }

    @Test
    void mmioStoreCarriesTheMaskedRegisterOrZeroForXzr() {
        Property.forAll(Gen.integers().between(0, 3), Gen.integers().between(0, 31), Gen.longs())
                .check((size, rt, value) -> {
                    AccessWidth width = AccessWidth.ofLog2(size);
                    long[] x = new long[31];
                    java.util.Arrays.fill(x, value);
                    int iss = DataAbortIss.mmio(width, false, rt, true, false, true).encode();
                    var d = TrapDecoder.decode(Esr.encode(Esr.EC_DABT_LOWER, true, iss), 0x1000, new TrapDecoderTest.ArrayGprs(x));
                    assertEquals(new VCpuExit.MmioWrite(0x1000, width, rt == 31 ? 0 : value & width.mask()), d.exit());
                });
    }
}
