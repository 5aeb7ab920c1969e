package org.vcpu4j.backend.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import org.junit.jupiter.api.Test;
import org.vcpu4j.api.AccessWidth;
import org.vcpu4j.api.VCpuExit;
import org.vcpu4j.api.x86_64.X86_64State;

/**
 * A register written after a load's completion is the register the guest runs with, also when the next
 * instruction is another load that KVM completes on entry (issue 11 finding: RAX written after a completed
 * MMIO load lost its upper bits at a following {@code in al, dx}).
 */
class KvmX86RegisterWriteAfterLoadTest {
    @Test
    void raxWrittenAfterACompletedMmioLoadKeepsItsUpperBitsAcrossAnInAlDx() {
        X86Guest.Code c = new X86Guest.Code().movRbx(X86Guest.MMIO).movDx(0x60)
                .bytes(0x48, 0x8B, 0x0B)   // mov rcx, [rbx]: the MMIO load
                .bytes(0xEC)               // in al, dx
                .hlt();
        try (X86Guest g = X86Guest.start(c.build())) {
            assertInstanceOf(VCpuExit.MmioRead.class, g.vcpu.run());
            g.vcpu.completeMmioRead(0x1234);
            g.vcpu.setGpr(0, 0x1122_3344_5566_7788L);
            assertEquals(new VCpuExit.IoRead(0x60, AccessWidth.BYTE), g.vcpu.run());
            assertEquals(0x1122_3344_5566_7788L, g.vcpu.gpr(0), "RAX before the IN completes");
            g.vcpu.completeIoRead(0xAB);
            assertEquals(0x1122_3344_5566_77ABL, g.vcpu.gpr(0), "IN AL merges into RAX (SDM vol. 2 'IN')");
            assertInstanceOf(VCpuExit.Halt.class, g.vcpu.run());
            X86_64State s = (X86_64State) g.vcpu.saveState();
            assertEquals(0x1122_3344_5566_77ABL, s.gpr(0), "RAX the guest halted with");
            assertEquals(0x1234L, s.gpr(1), "RCX from the MMIO load");
        }
    }

    @Test
    void raxWrittenAfterAnMmioLoadIntoEaxKeepsItsUpperBitsAcrossAnInAlDx() {
        X86Guest.Code c = new X86Guest.Code().movRbx(X86Guest.MMIO).movDx(0x60)
                .bytes(0x8B, 0x03)         // mov eax, [rbx]: the MMIO load, into RAX itself
                .bytes(0xEC)               // in al, dx
                .hlt();
        try (X86Guest g = X86Guest.start(c.build())) {
            assertInstanceOf(VCpuExit.MmioRead.class, g.vcpu.run());
            g.vcpu.completeMmioRead(0x1234);
            assertEquals(0x1234L, g.vcpu.gpr(0), "the completed load");
            g.vcpu.setGpr(0, 0x1122_3344_5566_7788L);
            assertEquals(new VCpuExit.IoRead(0x60, AccessWidth.BYTE), g.vcpu.run());
            g.vcpu.completeIoRead(0xAB);
            assertInstanceOf(VCpuExit.Halt.class, g.vcpu.run());
            assertEquals(0x1122_3344_5566_77ABL, ((X86_64State) g.vcpu.saveState()).gpr(0), "RAX the guest halted with");
        }
    }
}
