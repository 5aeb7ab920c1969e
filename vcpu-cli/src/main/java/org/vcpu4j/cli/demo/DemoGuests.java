package org.vcpu4j.cli.demo;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.vcpu4j.api.GuestIsa;
import org.vcpu4j.cli.image.GuestImage;
import org.vcpu4j.cli.machine.PcMachine;
import org.vcpu4j.cli.machine.VirtMachine;

/**
 * Generates the hello-world guest for an ISA: a loop that sends a message to the machine's UART byte by
 * byte, then powers off (AArch64: PSCI SYSTEM_OFF through HVC) or halts with interrupts disabled
 * (x86-64: {@code cli; hlt}).
 */
public final class DemoGuests {
    private DemoGuests() {}

    /**
     * {@return the demo image for an ISA}
     *
     * @param isa the guest ISA
     * @param message the text the guest prints
     */
    public static GuestImage image(GuestIsa isa, String message) {
        byte[] text = (message + "\0").getBytes(StandardCharsets.US_ASCII);
        return switch (isa) {
            case AARCH64 -> aarch64(text);
            case X86_64 -> x86(text);
        };
    }

    /** The AArch64 program at the virt board's RAM base; encodings from Arm ARM C6.2. */
    private static GuestImage aarch64(byte[] text) {
        final int x0 = 0;
        final int x1 = 1;
        final int x2 = 2;
        final int w3 = 3;
        int[] code = {
            /* 0  */ A64.adr(x1, 11 * 4),                            // adr  x1, msg
            /* 1  */ A64.movz(x2, (int) (VirtMachine.UART_BASE >>> 16), 1), // mov  x2, #0x09000000
            /* 2  */ A64.ldrbPostIndex(w3, x1, 1),                     // loop: ldrb w3, [x1], #1
            /* 3  */ A64.cbz32(w3, 3 * 4),                             // cbz  w3, done
            /* 4  */ A64.strb(w3, x2, 0),                              // strb w3, [x2]   (UARTDR)
            /* 5  */ A64.b(-3 * 4),                                    // b    loop
            /* 6  */ A64.movz(x0, 0x0008, 0),                          // done: mov x0, #0x84000008
            /* 7  */ A64.movk(x0, 0x8400, 1),                          //       (PSCI SYSTEM_OFF)
            /* 8  */ A64.hvc(0),                                       // hvc  #0
            /* 9  */ A64.b(0),                                         // b    .
            /* 10 */ A64.NOP,
        };
        ByteBuffer b = ByteBuffer.allocate(code.length * 4 + text.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int word : code) {
            b.putInt(word);
        }
        b.put(text);
        return image(GuestIsa.AARCH64, VirtMachine.RAM_BASE, b.array());
    }

    /** The x86-64 program at 1 MiB; encodings from the Intel SDM volume 2. */
    private static GuestImage x86(byte[] text) {
        final long base = 0x10_0000;
        ByteArrayOutputStream c = new ByteArrayOutputStream();
        int leaAt = c.size();
        c.writeBytes(new byte[] {0x48, (byte) 0x8D, 0x35, 0, 0, 0, 0});       // lea rsi, [rip + msg]
        c.writeBytes(new byte[] {0x66, (byte) 0xBA,
            (byte) PcMachine.UART_PORT, (byte) (PcMachine.UART_PORT >> 8)});  // mov dx, 0x3f8
        int loop = c.size();
        c.write(0xAC);                                                        // lodsb
        c.writeBytes(new byte[] {(byte) 0x84, (byte) 0xC0});                  // test al, al
        c.writeBytes(new byte[] {0x74, 0x03});                                // jz done (+3)
        c.write(0xEE);                                                        // out dx, al
        c.writeBytes(new byte[] {(byte) 0xEB, (byte) (loop - (c.size() + 2))}); // jmp loop
        c.writeBytes(new byte[] {(byte) 0xFA, (byte) 0xF4});                  // done: cli; hlt
        int msg = c.size();
        c.writeBytes(text);
        byte[] bytes = c.toByteArray();
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(leaAt + 3, msg - (leaAt + 7));
        return image(GuestIsa.X86_64, base, bytes);
    }

    private static GuestImage image(GuestIsa isa, long address, byte[] bytes) {
        return new GuestImage("demo (" + isa.displayName() + ")", Optional.of(isa),
                List.of(new GuestImage.Segment(address, bytes, bytes.length)), Optional.of(address));
    }
}
