package org.vcpu4j.backend.emulated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import org.junit.jupiter.api.Test;
import org.vcpu4j.api.AccessWidth;
import org.vcpu4j.api.VCpuExit;

/** A small bare-metal program prints through an MMIO UART and powers off with PSCI SYSTEM_OFF. */
class FirstProgramTest {

    private static final int[] HELLO = {
        0xd2a12001, // mov x1, #0x9000000
        0x10000102, // adr x2, msg
        0x38401443, // loop: ldrb w3, [x2], #1
        0x34000063, // cbz w3, done
        0x39000023, // strb w3, [x1]
        0x17fffffd, // b loop
        0x52800100, // done: mov w0, #0x8
        0x72b08000, // movk w0, #0x8400, lsl #16
        0xd4000002, // hvc #0
        0x0a216948, // msg: "Hi!\n"
        0x00000000,
    };

    @Test
    void printsThroughMmioAndPowersOff() {
        try (Guest g = new Guest(HELLO)) {
            StringBuilder out = new StringBuilder();
            VCpuExit exit;
            while ((exit = g.run()) instanceof VCpuExit.MmioWrite w) {
                assertEquals(Guest.UART, w.address());
                assertEquals(AccessWidth.BYTE, w.width());
                assertEquals(Guest.RAM + 0x14, g.pc(), "PC past the STRB");
                out.append((char) w.data());
            }
            assertEquals("Hi!\n", out.toString());
            assertInstanceOf(VCpuExit.SystemDown.class, exit);
            assertEquals(Guest.RAM + 0x24, g.pc(), "PC past the HVC");
            assertEquals(0x8400_0008L, g.x(0));
        }
    }
}
