package org.vcpu4j.backend.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.vcpu4j.api.AccessWidth;
import org.vcpu4j.api.VCpuExit;
import org.vcpu4j.api.x86_64.X86_64State;

/**
 * Issue 11 item 6 on the real /dev/kvm: a MOV that starts in the last bytes of RAM and ends past it. KVM's
 * emulator (arch/x86/kvm/x86.c, emulator_read_write) does the RAM page itself and exits with the rest as one
 * KVM_EXIT_MMIO of its length; a length of 3, 5, 6 or 7 bytes comes out in QEMU's naturally aligned pieces,
 * as on the emulated backend (TCK rule EXIT-005). Before, such a length was an InternalError.
 */
class KvmX86EdgeOfRamTest {
    private static final long END = X86Guest.RAM_SIZE;
    private static final long RAM_FILL = 0x8877_6655_4433_2211L;

    /** mov rax, [address] (REX.W 8B /0 with SIB disp32, SDM Vol. 2B MOV); hlt. */
    private static X86Guest.Code load(long address) {
        return new X86Guest.Code().bytes(0x48, 0x8B, 0x04, 0x25).imm32(address);
    }

    private static X86Guest start(X86Guest.Code code) {
        X86Guest g = X86Guest.start(code.hlt().build());
        g.vm.memory().writeLong(END - 8, RAM_FILL);
        return g;
    }

    private static long rip(X86Guest g) {
        return ((X86_64State) g.vcpu.saveState()).rip();
    }

    @Test
    void aLoadWithFiveBytesPastRamExitsByteByByteAndCombinesBothParts() {
        try (X86Guest g = start(load(END - 3))) {
            for (int i = 0; i < 5; i++) {
                assertEquals(new VCpuExit.MmioRead(END + i, AccessWidth.BYTE, 0, AccessWidth.BYTE, false), g.vcpu.run(),
                        "piece " + i);
                assertEquals(X86Guest.CODE + 8, rip(g), "RIP past the load at every piece");
                assertEquals(0, g.vcpu.gpr(0), "RAX is written once, after the last piece");
                g.vcpu.completeMmioRead(0xA0 + i | 0xFF00); // only the piece's byte counts
            }
            assertInstanceOf(VCpuExit.Halt.class, g.vcpu.run());
            assertEquals(0xA4A3_A2A1_A088_7766L, g.vcpu.gpr(0), "3 bytes from RAM, then the device's 5");
        }
    }

    @Test
    void aStoreWithSixBytesPastRamWritesItsRamBytesAndExitsInHalfwords() {
        X86Guest.Code code = new X86Guest.Code().bytes(0x48, 0xB8).imm64(0x1122_3344_5566_7788L) // mov rax, imm64
                .bytes(0x48, 0x89, 0x04, 0x25).imm32(END - 2); // mov [END - 2], rax
        try (X86Guest g = start(code)) {
            List<VCpuExit> exits = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                exits.add(g.vcpu.run());
                assertEquals(X86Guest.CODE + 18, rip(g), "RIP past the store (saveState lets KVM finish it)");
            }
            assertEquals(List.of(new VCpuExit.MmioWrite(END, AccessWidth.WORD, 0x5566L),
                    new VCpuExit.MmioWrite(END + 2, AccessWidth.WORD, 0x3344L),
                    new VCpuExit.MmioWrite(END + 4, AccessWidth.WORD, 0x1122L)), exits);
            assertEquals(0x7788_6655_4433_2211L, g.vm.memory().readLong(END - 8), "the 2 RAM bytes are written");
            assertInstanceOf(VCpuExit.Halt.class, g.vcpu.run());
        }
    }

    @Test
    void restoreStateOrARegisterWriteBetweenPiecesForgetsTheRestOfTheLoad() {
        try (X86Guest g = start(load(END - 1).bytes(0x90))) { // 7 bytes past RAM: bytes (END + 1 is odd)
            assertEquals(new VCpuExit.MmioRead(END, AccessWidth.BYTE, 0, AccessWidth.BYTE, false), g.vcpu.run());
            g.vcpu.completeMmioRead(0x5A);
            X86_64State s = (X86_64State) g.vcpu.saveState();
            g.vcpu.restoreState(s.toBuilder().rip(X86Guest.CODE + 8).build()); // at the NOP
            assertInstanceOf(VCpuExit.Halt.class, g.vcpu.run(), "the restored state runs, not the rest of the load");
            assertEquals(0, g.vcpu.gpr(0));
        }
        try (X86Guest g = start(load(END - 1).bytes(0x90))) {
            assertInstanceOf(VCpuExit.MmioRead.class, g.vcpu.run());
            g.vcpu.completeMmioRead(0x5A);
            g.vcpu.setGpr(3, 0x1234);
            assertEquals(X86Guest.CODE + 8, rip(g), "as a restore of the state seen between the pieces");
            assertInstanceOf(VCpuExit.Halt.class, g.vcpu.run(), "no further piece after a register write");
            assertEquals(0x1234, g.vcpu.gpr(3));
            assertEquals(0, g.vcpu.gpr(0), "the dropped load wrote nothing");
        }
    }
}
