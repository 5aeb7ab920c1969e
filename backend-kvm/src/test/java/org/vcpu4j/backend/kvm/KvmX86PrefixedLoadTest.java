package org.vcpu4j.backend.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.vcpu4j.api.VCpuExit;
import org.vcpu4j.api.x86_64.X86_64State;

/**
 * Issue 11 item 8 on the real /dev/kvm: IN and MMIO loads (and a few MMIO stores) behind random mixes of
 * legacy and REX prefixes, two REX in a row among them (REX.B and REX.X select r8-r15, set up to give the same
 * addresses). At every exit {@code saveState()} presents RIP
 * past the instruction (what the CPU and KVM's emulator retire), and the guest runs through all of them.
 */
class KvmX86PrefixedLoadTest {
    private static final int[] LEGACY = {0x66, 0x67, 0xF2, 0xF3, 0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65};
    /** Loads from [rdi], [rbx+..] (= MMIO) and port reads; their lengths depend on no prefix. */
    private static final String[] LOADS = {
        "8b 07", "8b 4b 10", "8a 53 18", "8b 84 8b 00 01 00 00", "0f b7 73 20", "0f b6 07", "3b 07",
        "89 03", "ec", "ed", "e4 60", "e5 71",
    };

    @Test
    void randomPrefixesAroundLoadsDecodeAsTheCpuRetiresThem() {
        SplittableRandom random = new SplittableRandom(0x11_08_4BL);
        X86Guest.Code c = new X86Guest.Code().movRbx(X86Guest.MMIO).bytes(0x48, 0x89, 0xDF) // mov rdi, rbx
                .bytes(0x31, 0xC9).movDx(0x60); // xor ecx, ecx; mov dx, 0x60
        List<Long> ends = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        int doubleRex = 0;
        for (int i = 0; i < 400; i++) {
            String load = LOADS[random.nextInt(LOADS.length)];
            byte[] tail = HexFormat.of().parseHex(load.replace(" ", ""));
            List<Integer> prefixes = new ArrayList<>();
            int n = random.nextInt(InstructionLengthBudget.MAX - tail.length + 1);
            for (int j = 0; j < n; j++) {
                prefixes.add(random.nextInt(3) == 0 ? 0x40 | random.nextInt(16) : LEGACY[random.nextInt(LEGACY.length)]);
            }
            if (i % 4 == 0) { // make sure the reported case is common: two REX right before the opcode
                prefixes.add(0x48);
                prefixes.add(0x48);
                while (prefixes.size() + tail.length > InstructionLengthBudget.MAX) {
                    prefixes.remove(0);
                }
                doubleRex++;
            }
            StringBuilder text = new StringBuilder();
            for (int p : prefixes) {
                c.bytes(p);
                text.append(String.format("%02x ", p));
            }
            for (byte b : tail) {
                c.bytes(b & 0xFF);
            }
            ends.add(c.here());
            texts.add(text + load);
        }
        c.hlt();
        long afterHlt = c.here();
        try (X86Guest g = X86Guest.start(c.build())) {
            // REX.B and REX.X pick r8-r15 as base and index: the same addresses through them.
            g.vcpu.setGpr(11, X86Guest.MMIO); // r11 for rbx
            g.vcpu.setGpr(15, X86Guest.MMIO); // r15 for rdi
            g.vcpu.setGpr(9, 0); // r9 for the index rcx
            for (int i = 0; i < ends.size(); i++) {
                VCpuExit exit = g.vcpu.run();
                X86_64State s = (X86_64State) g.vcpu.saveState();
                assertEquals(ends.get(i), s.rip(), "RIP at the exit of " + texts.get(i) + " (" + exit + ")");
                switch (exit) {
                    case VCpuExit.MmioRead r -> g.vcpu.completeMmioRead(0); // keeps rcx and r9 (loaded by 8b 4b) 0
                    case VCpuExit.IoRead r -> g.vcpu.completeIoRead(0x56);
                    case VCpuExit.MmioWrite w -> { }
                    default -> throw new AssertionError("unexpected " + exit + " at " + texts.get(i));
                }
            }
            assertInstanceOf(VCpuExit.Halt.class, g.vcpu.run());
            assertEquals(afterHlt, ((X86_64State) g.vcpu.saveState()).rip());
        }
        assertEquals(100, doubleRex);
    }

    /** The architectural instruction-length limit (SDM Vol. 2 section 2.3.11). */
    private static final class InstructionLengthBudget {
        static final int MAX = 15;
    }
}
