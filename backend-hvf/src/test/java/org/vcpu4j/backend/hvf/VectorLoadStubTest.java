package org.vcpu4j.backend.hvf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

class VectorLoadStubTest {

    @Test
    void encodingsMatchGnuAs() {
        // aarch64-linux-gnu-as 2.40: ldp q0, q1, [x0] / ldp q2, q3, [x0, #32] / ldp q30, q31, [x0, #480] / hvc #0x4846
        int[] code = VectorLoadStub.code();
        assertEquals(17, code.length);
        assertEquals(0xAD400400, code[0]);
        assertEquals(0xAD410C02, code[1]);
        assertEquals(0xAD4F7C1E, code[15]);
        assertEquals(0xD40908C2, code[16]);
    }

    @Test
    void codeAndDataLandWhereTheStubExpectsThem() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment page = arena.allocate(0x4000, 0x4000);
            VectorLoadStub.writeCode(page);
            long[] simd = new long[64];
            for (int i = 0; i < 64; i++) {
                simd[i] = 0x0101_0101_0101_0101L * i;
            }
            VectorLoadStub.writeData(page, simd);
            assertEquals((byte) 0x00, page.get(ValueLayout.JAVA_BYTE, 0), "little-endian code");
            assertEquals((byte) 0xAD, page.get(ValueLayout.JAVA_BYTE, 3));
            assertEquals(0, VectorLoadStub.DATA_OFFSET % 16, "LDP Q from Device memory (MMU off) needs alignment");
            assertEquals(simd[7], page.get(ValueLayout.JAVA_LONG_UNALIGNED, VectorLoadStub.DATA_OFFSET + 56));
            assertEquals(0x4846, VectorLoadStub.HVC_MARK);
        }
    }
}
