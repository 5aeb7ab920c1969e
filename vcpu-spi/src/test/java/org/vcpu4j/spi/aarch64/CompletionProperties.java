package org.vcpu4j.spi.aarch64;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;
import org.vcpu4j.api.AccessWidth;
import org.vcpu4j.api.VCpuExit;
import org.vcpu4j.property.Gen;
import org.vcpu4j.property.Property;

/** The completion arithmetic against vectors and against a BigInteger model of the Arm ARM's load pseudocode. */
class CompletionProperties {

    @Test
    void vectors() {
        assertEquals(0xFFFF_FF80L, Completion.loadResult(0x80, AccessWidth.BYTE, true, AccessWidth.DWORD));
        assertEquals(0xFFFF_FFFF_FFFF_FF80L, Completion.loadResult(0x80, AccessWidth.BYTE, true, AccessWidth.QWORD));
        assertEquals(0x80L, Completion.loadResult(0x1280, AccessWidth.BYTE, false, AccessWidth.QWORD));
        assertEquals(0xFFFF_FFFF_FFFF_8001L, Completion.loadResult(0x8001, AccessWidth.WORD, true, AccessWidth.QWORD));
        assertEquals(0xFFFF_FFFF_8000_0000L, Completion.loadResult(0x1_8000_0000L, AccessWidth.DWORD, true, AccessWidth.QWORD));
        assertEquals(0x8000_0000L, Completion.loadResult(0xFFFF_FFFF_8000_0000L, AccessWidth.DWORD, false, AccessWidth.DWORD));
        assertEquals(-1L, Completion.loadResult(-1, AccessWidth.QWORD, true, AccessWidth.QWORD));
    }

    @Test
    void xzrIsNeverWritten() {
        long[] x = new long[31];
        Completion.completeMmioRead(new VCpuExit.MmioRead(0, AccessWidth.QWORD, 31, AccessWidth.QWORD, false), 5,
                new TrapDecoderTest.ArrayGprs(x));
        Completion.completeSysRegRead(new VCpuExit.SysRegRead(0, 31), 5, new TrapDecoderTest.ArrayGprs(x));
        assertEquals(0, java.util.Arrays.stream(x).filter(v -> v != 0).count());
    }

    @Test
    void loadResultMatchesTheArchitecturalModel() {
        Property.forAll(Gen.longs(), Gen.integers().between(0, 3), Gen.booleans(), Gen.booleans(),
                Gen.integers().between(0, 30))
                .check((value, size, signed, sixtyFour, rt) -> {
            AccessWidth width = AccessWidth.ofLog2(size);
            AccessWidth regWidth = sixtyFour ? AccessWidth.QWORD : AccessWidth.DWORD;
            long[] x = new long[31];
            java.util.Arrays.fill(x, 0x5555_5555_5555_5555L);
            Completion.completeMmioRead(new VCpuExit.MmioRead(0, width, rt, regWidth, signed), value,
                    new TrapDecoderTest.ArrayGprs(x));
            assertEquals(model(value, width.bits(), signed, regWidth.bits()), x[rt]);
        });
    }

    /** Arm ARM LDRS*: data = Mem[address, size]; X[t] = Extend(data, regsize, !signed), then W writes zero-extend. */
    private static long model(long value, int bits, boolean signed, int regBits) {
        BigInteger data = BigInteger.valueOf(value).and(BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE));
        if (signed && data.testBit(bits - 1)) {
            data = data.subtract(BigInteger.ONE.shiftLeft(bits));
        }
        return data.and(BigInteger.ONE.shiftLeft(regBits).subtract(BigInteger.ONE)).longValue();
    }
}
