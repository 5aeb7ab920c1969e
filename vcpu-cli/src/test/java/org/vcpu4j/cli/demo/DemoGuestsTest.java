package org.vcpu4j.cli.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.vcpu4j.api.GuestIsa;
import org.vcpu4j.cli.image.GuestImage;

/** The demo guests' code, compared with what GNU as 2.40 assembles for the same source. */
class DemoGuestsTest {

    @Test
    void aarch64CodeMatchesTheAssembler() {
        // aarch64-linux-gnu-as: adr x1,.+44; mov x2,#0x9000000; ldrb w3,[x1],#1; cbz w3,.+12; strb w3,[x2];
        // b .-12; mov x0,#8; movk x0,#0x8400,lsl #16; hvc #0; b .; nop
        int[] expected = {0x10000161, 0xd2a12002, 0x38401423, 0x34000063, 0x39000043, 0x17fffffd,
            0xd2800100, 0xf2b08000, 0xd4000002, 0x14000000, 0xd503201f};
        GuestImage image = DemoGuests.image(GuestIsa.AARCH64, "hi");
        GuestImage.Segment s = image.segments().getFirst();
        assertEquals(0x4000_0000L, s.address());
        assertEquals(0x4000_0000L, image.entry().orElseThrow());
        ByteBuffer b = ByteBuffer.wrap(s.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        int[] code = new int[expected.length];
        for (int i = 0; i < code.length; i++) {
            code[i] = b.getInt();
        }
        assertArrayEquals(expected, code);
        assertArrayEquals(new byte[] {'h', 'i', 0}, Arrays.copyOfRange(s.bytes(), 44, 47));
    }

    @Test
    void x86CodeMatchesTheAssembler() {
        // as: lea msg(%rip),%rsi; mov $0x3f8,%dx; 1: lodsb; test %al,%al; jz 2f; out %al,(%dx); jmp 1b; 2: cli; hlt
        byte[] expected = {0x48, (byte) 0x8d, 0x35, 0x0e, 0, 0, 0, 0x66, (byte) 0xba, (byte) 0xf8, 0x03,
            (byte) 0xac, (byte) 0x84, (byte) 0xc0, 0x74, 0x03, (byte) 0xee, (byte) 0xeb, (byte) 0xf8,
            (byte) 0xfa, (byte) 0xf4, 'h', 'i', 0};
        GuestImage image = DemoGuests.image(GuestIsa.X86_64, "hi");
        assertArrayEquals(expected, image.segments().getFirst().bytes());
        assertEquals(0x10_0000L, image.entry().orElseThrow());
    }
}
