package org.vcpu4j.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.vcpu4j.api.InterruptController;
import org.vcpu4j.api.InterruptControllerConfig;
import org.vcpu4j.api.InterruptControllerState;
import org.vcpu4j.api.aarch64.Aarch64CreateConfig;

/** The library's rules for VirtualMachine.createInterruptController and InterruptController, for every backend. */
class InterruptControllerContractTest extends FakeVmFixture {

    @Test
    void createdOnceBeforeTheFirstVCpuAndOfTheVmsIsa() {
        assertFalse(vm.interruptControllerSupport(new InterruptControllerConfig.X86Irqchip(true)).available());
        assertThrows(IllegalArgumentException.class,
                () -> vm.createInterruptController(new InterruptControllerConfig.X86Irqchip(true)));
        InterruptController gic = vm.createInterruptController(InterruptControllerConfig.qemuVirtGicV3());
        assertEquals(gic, vm.interruptController().orElseThrow());
        assertThrows(IllegalStateException.class,
                () -> vm.createInterruptController(InterruptControllerConfig.qemuVirtGicV3()));
    }

    @Test
    void afterAVCpuExistsItIsRefused() {
        vm.createVCpu(0, Aarch64CreateConfig.ofMpidr(0));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> vm.createInterruptController(InterruptControllerConfig.qemuVirtGicV3()));
        assertTrue(e.getMessage().contains("before the first vCPU"), e.getMessage());
    }

    @Test
    void linesAreCheckedNeverTruncatedAndRefusedOnceTheVmIsClosed() {
        InterruptController gic = vm.createInterruptController(InterruptControllerConfig.qemuVirtGicV3());
        int limit = InterruptControllerConfig.qemuVirtGicV3().lineLimit();
        gic.setIrqLevel(limit - 1, true);
        for (int bad : new int[] {31, limit, limit + 256, -1, Integer.MAX_VALUE}) {
            assertThrows(IllegalArgumentException.class, () -> gic.setIrqLevel(bad, true), "line " + bad);
            assertThrows(IllegalArgumentException.class, () -> gic.pulseIrq(bad), "line " + bad);
        }
        InterruptControllerState state = gic.saveState();
        assertTrue(state.levels().contains(limit - 1));
        assertThrows(IllegalArgumentException.class, () -> gic.restoreState(new InterruptControllerState(
                new InterruptControllerConfig.GicV3(0x0800_0000L, 0x080A_0000L, 32), state.registers(),
                java.util.Set.of())));
        vm.close();
        assertThrows(IllegalStateException.class, () -> gic.setIrqLevel(40, true));
    }

    @Test
    void configurationsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> new InterruptControllerConfig.GicV3(0x0800_1000L, 0x080A_0000L, 224));
        assertThrows(IllegalArgumentException.class, () -> new InterruptControllerConfig.GicV3(0x0800_0000L, 0x080A_0000L, 100));
        assertThrows(IllegalArgumentException.class, () -> new InterruptControllerConfig.GicV3(0x0800_0000L, 0x080A_0000L, 992));
        assertThrows(IllegalArgumentException.class, () -> new InterruptControllerConfig.GicV3(0x0800_0000L, 0x0800_0000L, 32));
    }
}
