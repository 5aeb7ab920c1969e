package org.vcpu4j.backend.emulated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import org.junit.jupiter.api.Test;
import org.vcpu4j.api.VCpuExit;

/** The per-page instruction copy stays coherent with guest stores, host writes and IC maintenance. */
class CodeCacheTest {
    private static final long R = Guest.RAM;

    @Test
    void aStoreToTheNextInstructionIsExecuted() {
        int[] code = {
            0x10000061, // adr x1, patch
            0x18000082, // ldr w2, newinsn
            0xb9000022, // str w2, [x1]
            0xd2800020, // patch: mov x0, #1
            0xd4000002, // hvc #0
            0xd2800540, // newinsn: mov x0, #42
        };
        try (Guest g = new Guest(code)) {
            assertInstanceOf(VCpuExit.Hypercall.class, g.run());
            assertEquals(42, g.x(0));
        }
    }

    @Test
    void hostWritesBetweenRunsAreSeen() {
        try (Guest g = new Guest(0xd2800020 /* mov x0, #1 */, 0xd4000002 /* hvc #0 */)) {
            assertInstanceOf(VCpuExit.Hypercall.class, g.run());
            assertEquals(1, g.x(0));
            g.load(R, 0xd2800540); // mov x0, #42
            g.vcpu.setEntry(R);
            assertInstanceOf(VCpuExit.Hypercall.class, g.run());
            assertEquals(42, g.x(0));
        }
    }

    @Test
    void hostWritesToWordsNotRunYetAreSeen() {
        try (Guest g = new Guest(0xd2800020 /* mov x0, #1 */, 0xd4000002 /* hvc #0 */,
                0xd2800040 /* mov x0, #2 */, 0xd4000002 /* hvc #0 */)) {
            assertInstanceOf(VCpuExit.Hypercall.class, g.run());
            assertEquals(1, g.x(0));
            g.load(R + 8, 0xd2800540); // mov x0, #42, over a word copied but never run
            g.vcpu.setEntry(R + 8);
            assertInstanceOf(VCpuExit.Hypercall.class, g.run());
            assertEquals(42, g.x(0));
        }
    }

    @Test
    void codeOnAnotherPageWrittenThroughADifferentAliasIsSeen() {
        // 0x00: copy the word at 0x2000 to 0x1000 via x3 (a store to a page that was executed before),
        // then branch there again.
        int[] code = {
            0xd63f0020, // 0x00 blr x1        (x1 = R + 0x1000: mov x0, #1; ret)
            0xb9400042, // 0x04 ldr w2, [x2]  (x2 = R + 0x2000: mov x0, #42)
            0xb9000062, // 0x08 str w2, [x3]  (x3 = R + 0x1000)
            0xd63f0020, // 0x0c blr x1
            0xd4000002, // 0x10 hvc #0
        };
        try (Guest g = new Guest(code)) {
            g.load(R + 0x1000, 0xd2800020 /* mov x0, #1 */, 0xd65f03c0 /* ret */);
            g.load(R + 0x2000, 0xd2800540 /* mov x0, #42 */);
            g.vcpu.setGpr(1, R + 0x1000);
            g.vcpu.setGpr(2, R + 0x2000);
            g.vcpu.setGpr(3, R + 0x1000);
            assertInstanceOf(VCpuExit.Hypercall.class, g.run());
            assertEquals(42, g.x(0));
        }
    }
}
