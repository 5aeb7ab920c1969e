package org.vcpu4j.backend.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.vcpu4j.api.AccessWidth;
import org.vcpu4j.api.VCpuExit;
import org.vcpu4j.api.x86_64.X86_64State;

/**
 * Issue 11 item 10 on the real /dev/kvm: {@code restoreState()} in the middle of a REP string instruction
 * that reads MMIO (REP LODS, REP MOVS from MMIO to RAM, REPE CMPS of MMIO with RAM; byte, dword and qword;
 * DF clear and set: 18 variants). The restored state is what runs next: the old instruction neither
 * finishes first nor writes another element.
 */
class KvmX86RestoreDuringRepTest {
    private static final long ALT = X86Guest.CODE + 0x100;
    private static final long SOURCE = X86Guest.MMIO + 0x800;
    private static final long DESTINATION = 0x5800;

    enum Op {
        LODS(0xAC), MOVS(0xA4), CMPS(0xA6);

        final int byteOpcode;

        Op(int byteOpcode) {
            this.byteOpcode = byteOpcode;
        }
    }

    static Stream<Arguments> variants() {
        List<Arguments> all = new ArrayList<>();
        for (Op op : Op.values()) {
            for (int width : new int[] {1, 4, 8}) {
                for (boolean down : new boolean[] {false, true}) {
                    all.add(Arguments.of(op, width, down));
                }
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0} width {1} DF {2}")
    @MethodSource("variants")
    void restoreDuringARepStringMmioReadRunsTheRestoredState(Op op, int width, boolean down) {
        X86Guest.Code c = new X86Guest.Code().bytes(down ? 0xFD : 0xFC); // std / cld
        c.bytes(0xF3); // rep (repe for CMPS)
        if (width == 8) {
            c.bytes(0x48);
        }
        c.bytes(width == 1 ? op.byteOpcode : op.byteOpcode + 1);
        c.bytes(0xE6, 0x80).hlt(); // out 0x80, al: only if the REP ran to its end
        byte[] code = c.build();
        AccessWidth w = AccessWidth.ofBytes(width);
        long element0 = 0x5A5A_5A5A_5A5A_5A5AL & w.mask();
        try (X86Guest g = X86Guest.start(code)) {
            // out 0x81, al; mov rax, [rbx]; hlt: the next MMIO load must reach the VMM, not stale data
            g.vm.memory().write(ALT, new byte[] {(byte) 0xE6, (byte) 0x81, 0x48, (byte) 0x8B, 0x03, (byte) 0xF4});
            byte[] ram = new byte[64];
            java.util.Arrays.fill(ram, (byte) 0x5A); // CMPS: equal to what the device returns, so REPE goes on
            g.vm.memory().write(DESTINATION - 32, ram);
            g.vcpu.setGpr(1, 10);
            g.vcpu.setGpr(6, SOURCE);
            g.vcpu.setGpr(7, DESTINATION);
            long step = down ? -width : width;

            VCpuExit first = g.vcpu.run();
            assertEquals(new VCpuExit.MmioRead(SOURCE, w, 0, w, false), first, "element 0");
            g.vcpu.completeMmioRead(element0);
            if (op == Op.MOVS) {
                byte[] marker = new byte[width];
                java.util.Arrays.fill(marker, (byte) 0xEE);
                g.vm.memory().write(DESTINATION + step, marker); // where element 1 would land
            }
            VCpuExit second = g.vcpu.run();
            assertEquals(new VCpuExit.MmioRead(SOURCE + step, w, 0, w, false), second, "element 1");
            X86_64State atSecond = (X86_64State) g.vcpu.saveState();
            assertEquals(9, atSecond.gpr(1), "RCX at element 1");
            assertEquals(X86Guest.CODE + 1, atSecond.rip(), "RIP at the REP instruction while elements remain");

            g.vcpu.restoreState(atSecond.toBuilder().rip(ALT).gpr(0, 0x99).gpr(1, 0x77).gpr(6, 0x1234)
                    .gpr(7, 0x6000).gpr(3, X86Guest.MMIO).build());
            assertEquals(new VCpuExit.IoWrite(0x81, AccessWidth.BYTE, 0x99), g.vcpu.run(),
                    "the first exit after the restore comes from the restored RIP with the restored RAX");
            assertEquals(0x77, g.vcpu.gpr(1), "RCX as restored, not counted down by the old instruction");
            assertEquals(0x1234, g.vcpu.gpr(6), "RSI as restored");
            assertEquals(0x6000, g.vcpu.gpr(7), "RDI as restored");
            assertEquals(new VCpuExit.MmioRead(X86Guest.MMIO, AccessWidth.QWORD, 0, AccessWidth.QWORD, false),
                    g.vcpu.run(), "the next MMIO load exits");
            g.vcpu.completeMmioRead(0x4321);
            assertInstanceOf(VCpuExit.Halt.class, g.vcpu.run());
            assertEquals(0x4321, g.vcpu.gpr(0));
            if (op == Op.MOVS) {
                assertEquals(element0, g.vm.memory().readLong(DESTINATION) & w.mask(), "element 0 was stored");
                assertEquals(0xEEEE_EEEE_EEEE_EEEEL & w.mask(), g.vm.memory().readLong(DESTINATION + step) & w.mask(),
                        "the abandoned element 1 stored nothing");
            }
        }
    }

    @org.junit.jupiter.api.Test
    void aRegisterWriteBetweenTwoElementsOfARepLoadTakesEffectAndEveryElementIsReadOnce() {
        // cld; rep lodsq; out 0x80, al; hlt
        X86Guest.Code c = new X86Guest.Code().bytes(0xFC, 0xF3, 0x48, 0xAD, 0xE6, 0x80).hlt();
        try (X86Guest g = X86Guest.start(c.build())) {
            g.vcpu.setGpr(1, 3);
            g.vcpu.setGpr(6, SOURCE);
            assertEquals(new VCpuExit.MmioRead(SOURCE, AccessWidth.QWORD, 0, AccessWidth.QWORD, false), g.vcpu.run());
            g.vcpu.completeMmioRead(0x11);
            g.vcpu.setGpr(9, 0x4242); // r9, not used by LODS: KVM must not finish element 1 behind it
            assertEquals(0x4242, g.vcpu.gpr(9));
            assertEquals(2, g.vcpu.gpr(1), "RCX after element 0");
            assertEquals(new VCpuExit.MmioRead(SOURCE + 8, AccessWidth.QWORD, 0, AccessWidth.QWORD, false),
                    g.vcpu.run(), "element 1, read once");
            g.vcpu.completeMmioRead(0x22);
            assertEquals(new VCpuExit.MmioRead(SOURCE + 16, AccessWidth.QWORD, 0, AccessWidth.QWORD, false),
                    g.vcpu.run(), "element 2");
            g.vcpu.completeMmioRead(0x33);
            assertEquals(new VCpuExit.IoWrite(0x80, AccessWidth.BYTE, 0x33), g.vcpu.run());
            assertEquals(0, g.vcpu.gpr(1));
            assertEquals(SOURCE + 24, g.vcpu.gpr(6));
            assertEquals(0x4242, g.vcpu.gpr(9));
        }
    }
}
