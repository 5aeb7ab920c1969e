package org.vcpu4j.backend.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;
import org.vcpu4j.api.AccessWidth;
import org.vcpu4j.api.InterruptController;
import org.vcpu4j.api.VCpuExit;
import org.vcpu4j.api.x86_64.DescriptorTable;
import org.vcpu4j.api.x86_64.X86_64State;

/**
 * The x86-64 in-kernel irqchip on the real /dev/kvm (issue 13): a GSI raised by a device model through
 * {@link InterruptController#setIrqLevel} goes through the IOAPIC redirection entry the guest programmed
 * and the LAPIC to the guest's IDT vector, waking it from HLT (which the kernel then handles: no Halt exit).
 */
class KvmX86IrqchipTest {
    private static final int GSI = 20;
    private static final int VECTOR = 0x41;
    private static final int MARK_PORT = 0xE9;
    private static final long IDT = 0x3000;

    @Test
    void anIoapicRoutedGsiReachesTheGuestsIdtVectorAndWakesItFromHlt() throws Exception {
        X86Guest.Code c = new X86Guest.Code()
                // IOAPIC (82093AA datasheet 3.2.4): IOREGSEL 0xFEC00000, IOWIN +0x10; redirection entry of pin
                // n at registers 0x10 + 2n (low: vector, fixed, physical, active high, edge, unmasked) / +1.
                .bytes(0xB8).imm32(0xFEC0_0000L)                       // mov eax, 0xFEC00000
                .bytes(0xC7, 0x00).imm32(0x11 + 2 * GSI)               // mov dword [rax], high register
                .bytes(0xC7, 0x40, 0x10).imm32(0)                      // mov dword [rax+0x10], 0 (APIC id 0)
                .bytes(0xC7, 0x00).imm32(0x10 + 2 * GSI)               // low register
                .bytes(0xC7, 0x40, 0x10).imm32(VECTOR)                 // vector, edge, unmasked
                // LAPIC (SDM vol. 3 11.9): spurious-interrupt vector register 0xFEE000F0, bit 8 enables it.
                .bytes(0xB8).imm32(0xFEE0_0000L)
                .bytes(0xC7, 0x80).imm32(0xF0).imm32(0x1FF)
                .bytes(0xFB);                                          // sti
        long halt = c.here();
        c.bytes(0xF4, 0xEB, 0xFD);                                     // hlt; jmp hlt
        long handler = c.here();
        c.bytes(0x50, 0xB0, VECTOR, 0xE6, MARK_PORT)                   // push rax; mov al, VECTOR; out MARK, al
                .bytes(0xB8).imm32(0xFEE0_0000L)
                .bytes(0xC7, 0x80).imm32(0xB0).imm32(0)                // LAPIC EOI
                .bytes(0x58, 0x48, 0xCF);                              // pop rax; iretq
        try (X86Guest g = X86Guest.startWithIrqchip(c.build())) {
            X86_64State s = (X86_64State) g.vcpu.saveState();
            int cs = s.segment(X86_64State.SegmentRegister.CS).selector();
            g.vm.memory().write(IDT + 16L * VECTOR, gate(handler, cs));
            g.vcpu.restoreState(s.toBuilder().idt(new DescriptorTable(IDT, 256 * 16 - 1)).build());
            InterruptController irqchip = g.vm.interruptController().orElseThrow();
            assertThrows(IllegalArgumentException.class, () -> irqchip.setIrqLevel(24, true), "GSIs are 0..23");
            Thread device = Thread.ofPlatform().start(() -> {
                try {
                    Thread.sleep(200); // the guest is in HLT by now, blocked inside KVM_RUN
                } catch (InterruptedException e) {
                    return;
                }
                irqchip.setIrqLevel(GSI, true);
                irqchip.setIrqLevel(GSI, false);
            });
            Thread watchdog = Thread.ofPlatform().daemon().start(() -> {
                try {
                    Thread.sleep(20_000);
                    g.vcpu.requestExit();
                } catch (InterruptedException e) {
                    // done in time
                }
            });
            VCpuExit exit = g.vcpu.run();
            watchdog.interrupt();
            device.join();
            assertEquals(new VCpuExit.IoWrite(MARK_PORT, AccessWidth.BYTE, VECTOR), exit,
                    "the GSI must reach the handler of IDT vector 0x41 (a Halt exit means no irqchip handled HLT)");
            long rip = ((X86_64State) g.vcpu.saveState()).rip();
            assertEquals(handler + 5, rip, "RIP past the handler's OUT (the interrupted HLT was at 0x"
                    + Long.toHexString(halt) + ")");
        }
    }

    /**
     * With the in-kernel irqchip, {@code injectInterrupt} goes to the vCPU's LAPIC as an MSI
     * (KVM_SIGNAL_MSI): from another thread it reaches the IDT vector of a guest halted in the kernel;
     * vectors 0-15, illegal at a LAPIC, are refused.
     */
    @Test
    void injectInterruptWithTheIrqchipReachesTheIdtVectorThroughTheLapic() throws Exception {
        X86Guest.Code c = new X86Guest.Code()
                .bytes(0xB8).imm32(0xFEE0_0000L)
                .bytes(0xC7, 0x80).imm32(0xF0).imm32(0x1FF)            // LAPIC on (SVR bit 8)
                .bytes(0xFB, 0xF4, 0xEB, 0xFD);                        // sti; hlt; jmp hlt
        long handler = c.here();
        c.bytes(0x50, 0xB0, VECTOR, 0xE6, MARK_PORT, 0x58, 0x48, 0xCF); // push rax; mov al; out; pop rax; iretq
        try (X86Guest g = X86Guest.startWithIrqchip(c.build())) {
            X86_64State s = (X86_64State) g.vcpu.saveState();
            int cs = s.segment(X86_64State.SegmentRegister.CS).selector();
            g.vm.memory().write(IDT + 16L * VECTOR, gate(handler, cs));
            g.vcpu.restoreState(s.toBuilder().idt(new DescriptorTable(IDT, 256 * 16 - 1)).build());
            assertThrows(IllegalArgumentException.class, () -> g.vcpu.injectInterrupt(14), "an exception vector");
            Thread device = Thread.ofPlatform().start(() -> {
                try {
                    Thread.sleep(200); // the guest is in HLT by now, blocked inside KVM_RUN
                } catch (InterruptedException e) {
                    return;
                }
                g.vcpu.injectInterrupt(VECTOR);
            });
            Thread watchdog = Thread.ofPlatform().daemon().start(() -> {
                try {
                    Thread.sleep(20_000);
                    g.vcpu.requestExit();
                } catch (InterruptedException e) {
                    // done in time
                }
            });
            VCpuExit exit = g.vcpu.run();
            watchdog.interrupt();
            device.join();
            assertEquals(new VCpuExit.IoWrite(MARK_PORT, AccessWidth.BYTE, VECTOR), exit,
                    "the injected vector must reach its handler through the LAPIC (KVM_INTERRUPT is refused with an irqchip)");
        }
    }

    /**
     * The VM-level irqchip state (PICs, IOAPIC, PIT through KVM_GET/SET_IRQCHIP and KVM_GET/SET_PIT2, plus
     * the GSIs held high) moves to a fresh VM: an IOAPIC redirection entry programmed by the first VM's guest
     * routes the second VM's GSI, whose guest only turned its LAPIC on; a second save gives the same state.
     */
    @Test
    void theIrqchipStateMovesToAFreshVmAndRoutesItsGsis() throws Exception {
        X86Guest.Code programs = new X86Guest.Code()
                .bytes(0xB8).imm32(0xFEC0_0000L)
                .bytes(0xC7, 0x00).imm32(0x11 + 2 * GSI).bytes(0xC7, 0x40, 0x10).imm32(0)
                .bytes(0xC7, 0x00).imm32(0x10 + 2 * GSI).bytes(0xC7, 0x40, 0x10).imm32(VECTOR)
                .bytes(0xB0, 0xAA, 0xE6, MARK_PORT, 0xF4);             // report; hlt
        org.vcpu4j.api.InterruptControllerState saved;
        try (X86Guest a = X86Guest.startWithIrqchip(programs.build())) {
            assertEquals(new VCpuExit.IoWrite(MARK_PORT, AccessWidth.BYTE, 0xAA), a.vcpu.run());
            InterruptController chip = a.vm.interruptController().orElseThrow();
            chip.setIrqLevel(17, true); // a line held high travels too (an IOAPIC-only GSI with a masked entry)
            saved = chip.saveState();
            assertEquals(java.util.Set.of(17), saved.levels());
        }
        X86Guest.Code waits = new X86Guest.Code()
                .bytes(0xB8).imm32(0xFEE0_0000L).bytes(0xC7, 0x80).imm32(0xF0).imm32(0x1FF)
                .bytes(0xFB, 0xF4, 0xEB, 0xFD);                        // LAPIC on; sti; hlt; jmp hlt
        long handler = waits.here();
        waits.bytes(0x50, 0xB0, VECTOR, 0xE6, MARK_PORT, 0x58, 0x48, 0xCF);
        try (X86Guest b = X86Guest.startWithIrqchip(waits.build())) {
            X86_64State s = (X86_64State) b.vcpu.saveState();
            int cs = s.segment(X86_64State.SegmentRegister.CS).selector();
            b.vm.memory().write(IDT + 16L * VECTOR, gate(handler, cs));
            b.vcpu.restoreState(s.toBuilder().idt(new DescriptorTable(IDT, 256 * 16 - 1)).build());
            InterruptController chip = b.vm.interruptController().orElseThrow();
            chip.restoreState(saved);
            org.vcpu4j.api.InterruptControllerState again = chip.saveState();
            assertEquals(saved.levels(), again.levels());
            for (int off = 0; off < 512; off += 8) {
                int key = 2 << 16 | off; // the IOAPIC
                assertEquals(saved.registers().get(key), again.registers().get(key), "IOAPIC word at " + off);
            }
            Thread device = Thread.ofPlatform().start(() -> {
                try {
                    Thread.sleep(200); // the guest has turned its LAPIC on and halted (a disabled LAPIC drops it)
                } catch (InterruptedException e) {
                    return;
                }
                chip.pulseIrq(GSI);
            });
            Thread watchdog = Thread.ofPlatform().daemon().start(() -> {
                try {
                    Thread.sleep(20_000);
                    b.vcpu.requestExit();
                } catch (InterruptedException e) {
                    // done in time
                }
            });
            VCpuExit exit = b.vcpu.run();
            watchdog.interrupt();
            device.join();
            assertEquals(new VCpuExit.IoWrite(MARK_PORT, AccessWidth.BYTE, VECTOR), exit,
                    "GSI " + GSI + " must reach vector 0x41 through the restored redirection entry");
        }
    }

    /** A 64-bit interrupt gate (SDM vol. 3 6.14.1): offset, selector, P=1 DPL=0 type 0xE. */
    private static byte[] gate(long offset, int selector) {
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) offset).putShort((short) selector).put((byte) 0).put((byte) 0x8E)
                .putShort((short) (offset >>> 16)).putInt((int) (offset >>> 32)).putInt(0);
        return b.array();
    }
}
