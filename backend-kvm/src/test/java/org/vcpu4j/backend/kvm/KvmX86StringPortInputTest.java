package org.vcpu4j.backend.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import org.junit.jupiter.api.Test;
import org.vcpu4j.api.AccessWidth;
import org.vcpu4j.api.VCpuExit;
import org.vcpu4j.api.x86_64.X86_64State;

/**
 * Issue 11 item 9 on the real /dev/kvm: REP INS of many elements. KVM hands user space up to a page of
 * elements at once ({@code kvm_run.io.count} elements at {@code data_offset}, api.rst KVM_EXIT_IO); the
 * VMM sees one {@link VCpuExit.IoRead} per element, the guest gets every element, and the vCPU stays
 * usable whatever happens in between (a restore, a register read).
 */
class KvmX86StringPortInputTest {
    private static final int PORT = 0x1F0;

    /** mov dx, PORT; mov ecx, count; mov edi, buffer; cld or std; rep ins{b,w,d}; out 0x80, al; hlt. */
    private static X86Guest.Code repIns(int count, long buffer, int width, boolean down) {
        X86Guest.Code c = new X86Guest.Code().movDx(PORT).bytes(0xB9).imm32(count).bytes(0xBF).imm32(buffer)
                .bytes(down ? 0xFD : 0xFC);
        c.bytes(0xF3);
        if (width == 2) {
            c.bytes(0x66);
        }
        c.bytes(width == 1 ? 0x6C : 0x6D);
        return c.bytes(0xE6, 0x80).hlt();
    }

    private static long value(int element, int width) {
        return (0x5A5A_5A5AL ^ (element * 0x0101_0101L + 0x0302_0100L)) & AccessWidth.ofBytes(width).mask();
    }

    @Test
    void repInsbOf1024BytesIsOneIoReadPerByteAndRunsToTheEnd() {
        X86Guest.Code c = repIns(1024, 0x3000, 1, false);
        long repIns = X86Guest.CODE + 4 + 5 + 5 + 1;
        try (X86Guest g = X86Guest.start(c.build())) {
            for (int i = 0; i < 1024; i++) {
                assertEquals(new VCpuExit.IoRead(PORT, AccessWidth.BYTE), g.vcpu.run(), "element " + i);
                if (i == 0 || i == 500 || i == 1023) {
                    X86_64State s = (X86_64State) g.vcpu.saveState();
                    assertEquals(1024 - i, s.gpr(1), "RCX at element " + i);
                    assertEquals(0x3000 + i, s.gpr(7), "RDI at element " + i);
                    assertEquals(i == 1023 ? repIns + 2 : repIns, s.rip(), "RIP at element " + i);
                    assertEquals(s.gpr(1), g.vcpu.gpr(1), "gpr() agrees with saveState()");
                }
                if (i == 500) {
                    assertEquals(value(499, 1), g.vm.memory().read(0x3000 + 499, 1)[0] & 0xFF,
                            "element 499 is in guest memory at element 500");
                }
                g.vcpu.completeIoRead(value(i, 1));
            }
            assertInstanceOf(VCpuExit.IoWrite.class, g.vcpu.run(), "out 0x80 after the REP INSB");
            assertEquals(0, g.vcpu.gpr(1));
            assertEquals(0x3400, g.vcpu.gpr(7));
            byte[] got = g.vm.memory().read(0x3000, 1024);
            for (int i = 0; i < 1024; i++) {
                assertEquals(value(i, 1), got[i] & 0xFF, "byte " + i);
            }
            assertInstanceOf(VCpuExit.Halt.class, g.vcpu.run());
        }
    }

    @Test
    void repInsdAndInswInBatchesAcrossPagesUpAndDown() {
        for (int width : new int[] {2, 4}) {
            for (boolean down : new boolean[] {false, true}) {
                int count = 700;
                long buffer = down ? 0x6F00 : 0x5100; // the 700 elements cross a page boundary either way
                try (X86Guest g = X86Guest.start(repIns(count, buffer, width, down).build())) {
                    for (int i = 0; i < count; i++) {
                        assertEquals(new VCpuExit.IoRead(PORT, AccessWidth.ofBytes(width)), g.vcpu.run(),
                                "width " + width + " down " + down + " element " + i);
                        g.vcpu.completeIoRead(value(i, width));
                        if (i == 100) {
                            assertEquals(count - 101, g.vcpu.gpr(1), "RCX after element 100 is completed");
                        }
                    }
                    assertInstanceOf(VCpuExit.IoWrite.class, g.vcpu.run());
                    for (int i = 0; i < count; i++) {
                        long at = buffer + (down ? -i : i) * (long) width;
                        long got = g.vm.memory().readLong(at) & AccessWidth.ofBytes(width).mask();
                        assertEquals(value(i, width), got, "width " + width + " down " + down + " element " + i);
                    }
                    assertEquals(0, g.vcpu.gpr(1));
                }
            }
        }
    }

    @Test
    void afterARestoreInTheMiddleTheVCpuRunsTheNextGuestCorrectly() {
        long alt = X86Guest.CODE + 0x200;
        try (X86Guest g = X86Guest.start(repIns(1024, 0x3000, 1, false).build())) {
            byte[] marker = new byte[1024];
            java.util.Arrays.fill(marker, (byte) 0xEE);
            g.vm.memory().write(0x3000, marker);
            // the next guest: in al, dx; out 0x81, al; mov rcx, [rbx] (MMIO); hlt
            g.vm.memory().write(alt, new byte[] {(byte) 0xEC, (byte) 0xE6, (byte) 0x81, 0x48, (byte) 0x8B, 0x0B,
                (byte) 0xF4});
            for (int i = 0; i < 10; i++) {
                assertEquals(new VCpuExit.IoRead(PORT, AccessWidth.BYTE), g.vcpu.run());
                g.vcpu.completeIoRead(value(i, 1));
            }
            assertEquals(new VCpuExit.IoRead(PORT, AccessWidth.BYTE), g.vcpu.run(), "element 10, not completed");
            X86_64State s = (X86_64State) g.vcpu.saveState();
            g.vcpu.restoreState(s.toBuilder().rip(alt).gpr(2, 0x60).gpr(3, X86Guest.MMIO).gpr(1, 5).build());
            assertEquals(new VCpuExit.IoRead(0x60, AccessWidth.BYTE), g.vcpu.run(), "the next guest's IN");
            g.vcpu.completeIoRead(0x77);
            assertEquals(new VCpuExit.IoWrite(0x81, AccessWidth.BYTE, 0x77), g.vcpu.run());
            assertEquals(new VCpuExit.MmioRead(X86Guest.MMIO, AccessWidth.QWORD, 0, AccessWidth.QWORD, false),
                    g.vcpu.run());
            g.vcpu.completeMmioRead(0x1234);
            assertInstanceOf(VCpuExit.Halt.class, g.vcpu.run());
            assertEquals(0x1234, g.vcpu.gpr(1));
            byte[] got = g.vm.memory().read(0x3000, 1024);
            for (int i = 0; i < 1024; i++) {
                assertEquals(i < 10 ? value(i, 1) : 0xEE, got[i] & 0xFF, "byte " + i
                        + ": the 10 completed elements, and nothing of the abandoned rest");
            }
        }
    }
}
