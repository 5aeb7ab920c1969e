package org.vcpu4j.backend.kvm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.vcpu4j.api.GuestIsa;
import org.vcpu4j.api.VCpuExit;
import org.vcpu4j.api.aarch64.Aarch64CreateConfig;
import org.vcpu4j.backend.kvm.sys.KvmIoctls;
import org.vcpu4j.backend.kvm.sys.KvmRun;

/**
 * The in-kernel GICv3 on arm64, driven by {@link FakeKvmCalls}: the ioctl sequence (create, addresses,
 * interrupt count, CTRL_INIT after every vCPU's KVM_ARM_VCPU_INIT and before the first KVM_RUN), the
 * {@code KVM_IRQ_LINE} words, vCPU creation after init, hosts without a vGICv3, and bad INTIDs.
 */
class KvmVgicV3Test {
    private static final int VM_FD = 10;
    private static final String CTRL_INIT = "KVM_SET_DEVICE_ATTR(vgic 4/0 = 0x0)";

    private final FakeKvmCalls fake = new FakeKvmCalls();

    private KvmVm vm() {
        return new KvmVm(fake, VM_FD, GuestIsa.AARCH64, 3 * 4096, true, MemorySegment.NULL);
    }

    private static KvmArm64VCpu vcpu(KvmVm vm, int id) {
        return (KvmArm64VCpu) vm.createVCpu(id, Aarch64CreateConfig.ofMpidr(id));
    }

    /** Queues one MMIO-write exit, so that a run() has something to return. */
    private void queueExit() {
        fake.exits.add(run -> {
            KvmRun.exit_reason(run, KvmIoctls.KVM_EXIT_MMIO);
            KvmRun.mmio_phys_addr(run, 0x900_0000L);
            KvmRun.mmio_len(run, 1);
            KvmRun.mmio_is_write(run, (byte) 1);
        });
    }

    /** {@return the log entries of the vGIC and the vCPU lifecycle, in order} */
    private List<String> vgicLog() {
        List<String> l = new ArrayList<>();
        for (String s : fake.log) {
            if (s.startsWith("KVM_CREATE_DEVICE") || s.contains("(vgic ") || s.startsWith("KVM_IRQ_LINE")
                    || s.startsWith("KVM_CREATE_VCPU") || s.equals("KVM_ARM_VCPU_INIT") || s.startsWith("KVM_RUN")) {
                l.add(s);
            }
        }
        return l;
    }

    private List<int[]> pulse(int irq) {
        return List.of(new int[] {VM_FD, irq, 1}, new int[] {VM_FD, irq, 0});
    }

    private static void assertLines(List<int[]> expected, List<int[]> actual) {
        assertEquals(expected.size(), actual.size(), "KVM_IRQ_LINE calls");
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), actual.get(i), "KVM_IRQ_LINE call " + i);
        }
    }

    @Test
    void aVmWithoutAControllerGetsAGicV3AtQemuVirtsAddressesWithItsFirstVCpu() {
        KvmVm vm = vm();
        assertEquals(0, fake.createdDevices.size(), "createInterruptController may still configure it");
        vcpu(vm, 0);
        fake.log.removeIf(l -> l.startsWith("KVM_CREATE_VCPU") || l.equals("KVM_ARM_VCPU_INIT"));
        assertEquals(1, fake.createdDevices.size());
        assertArrayEquals(new int[] {7, 0}, fake.createdDevices.get(0), "type KVM_DEV_TYPE_ARM_VGIC_V3, flags 0");
        assertEquals(List.of("KVM_CREATE_DEVICE",
                "KVM_SET_DEVICE_ATTR(vgic 0/2 = 0x8000000)", // GRP_ADDR, VGIC_V3_ADDR_TYPE_DIST: GICD
                "KVM_SET_DEVICE_ATTR(vgic 0/3 = 0x80a0000)", // GRP_ADDR, VGIC_V3_ADDR_TYPE_REDIST: GICR
                "KVM_SET_DEVICE_ATTR(vgic 3/0 = 0x3e0)"), // GRP_NR_IRQS: 992
                vgicLog(), "nothing is initialised before the vCPUs exist");
    }

    /**
     * createInterruptController(GicV3) creates the vGIC at the configured frames with 32 + SPIs interrupts
     * (arm-vgic-v3.rst: KVM_DEV_ARM_VGIC_GRP_ADDR, GRP_NR_IRQS before the vCPUs run); lines set before
     * CTRL_INIT wait for it, later ones are KVM_IRQ_LINE words with irq_type SPI (api.rst 4.25).
     */
    @Test
    void aConfiguredControllerPutsTheVgicAtItsFramesAndDrivesSpiLevels() {
        KvmVm vm = vm();
        var config = new org.vcpu4j.api.InterruptControllerConfig.GicV3(0x1000_0000L, 0x1010_0000L, 64);
        assertTrue(vm.interruptControllerSupport(config).available());
        assertArrayEquals(new int[] {7, KvmIoctls.KVM_CREATE_DEVICE_TEST}, fake.createdDevices.get(0),
                "the support check only tests the device type");
        fake.log.clear();
        var chip = vm.createInterruptController(config);
        chip.setLevel(40, true);
        KvmArm64VCpu v = vcpu(vm, 0);
        assertTrue(fake.irqLines.isEmpty(), "nothing reaches KVM before CTRL_INIT");
        queueExit();
        v.run();
        chip.setLevel(40, false);
        assertEquals(List.of("KVM_CREATE_DEVICE", "KVM_SET_DEVICE_ATTR(vgic 0/2 = 0x10000000)",
                "KVM_SET_DEVICE_ATTR(vgic 0/3 = 0x10100000)", "KVM_SET_DEVICE_ATTR(vgic 3/0 = 0x60)",
                "KVM_CREATE_VCPU(0)", "KVM_ARM_VCPU_INIT", CTRL_INIT, "KVM_IRQ_LINE(0x01000028, 1)", "KVM_RUN",
                "KVM_IRQ_LINE(0x01000028, 0)"), vgicLog());
        assertThrows(IllegalArgumentException.class, () -> v.injectInterrupt(96), "beyond 32 + 64 SPIs");
    }

    @Test
    void ctrlInitFollowsEveryVCpuInitAndPrecedesTheFirstRunOnce() {
        KvmVm vm = vm();
        KvmArm64VCpu first = vcpu(vm, 0);
        KvmArm64VCpu second = vcpu(vm, 1);
        fake.log.clear();
        queueExit();
        assertInstanceOf(VCpuExit.MmioWrite.class, second.run());
        queueExit();
        assertInstanceOf(VCpuExit.MmioWrite.class, first.run());
        queueExit();
        assertInstanceOf(VCpuExit.MmioWrite.class, second.run());
        assertEquals(List.of(CTRL_INIT, "KVM_RUN", "KVM_RUN", "KVM_RUN"), vgicLog());
        assertTrue(vm.vgic().initialised());
    }

    @Test
    void theWholeSequenceFromVmToInjection() {
        KvmVm vm = vm();
        KvmArm64VCpu v = vcpu(vm, 0);
        queueExit();
        v.run();
        v.injectInterrupt(48);
        assertEquals(List.of("KVM_CREATE_DEVICE", "KVM_SET_DEVICE_ATTR(vgic 0/2 = 0x8000000)",
                "KVM_SET_DEVICE_ATTR(vgic 0/3 = 0x80a0000)", "KVM_SET_DEVICE_ATTR(vgic 3/0 = 0x3e0)",
                "KVM_CREATE_VCPU(0)", "KVM_ARM_VCPU_INIT", CTRL_INIT, "KVM_RUN",
                "KVM_IRQ_LINE(0x01000030, 1)", "KVM_IRQ_LINE(0x01000030, 0)"), vgicLog());
    }

    @Test
    void anSpiIsAnEdgeOnItsLineAndAPpiNamesTheVCpu() {
        KvmVm vm = vm();
        KvmArm64VCpu first = vcpu(vm, 0);
        KvmArm64VCpu second = vcpu(vm, 1);
        queueExit();
        first.run();
        first.injectInterrupt(32);
        first.injectInterrupt(991);
        second.injectInterrupt(27); // second has not run, but the VM's vGIC is initialised: no waiting
        first.injectInterrupt(16);
        List<int[]> expected = new ArrayList<>();
        expected.addAll(pulse(0x0100_0020)); // type SPI (1) << 24 | 32
        expected.addAll(pulse(0x0100_03DF)); // SPI 991
        expected.addAll(pulse(0x0201_001B)); // type PPI (2) << 24 | vCPU 1 << 16 | 27
        expected.addAll(pulse(0x0200_0010)); // PPI 16 of vCPU 0
        assertLines(expected, fake.irqLines);
    }

    @Test
    void aPpiIsRefusedWhereTheVCpuIdAndIndexDisagreeAndSpisStillWork() {
        KvmVm vm = vm();
        KvmArm64VCpu five = vcpu(vm, 5); // index 0: older kernels read the PPI's vCPU field as 0, newer as 5
        queueExit();
        five.run();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> five.injectInterrupt(20));
        assertTrue(e.getMessage().contains("PPI 20 cannot be injected into vCPU 5"), e.getMessage());
        assertTrue(e.getMessage().contains("differs from its index 0"), e.getMessage());
        assertTrue(fake.irqLines.isEmpty());
        five.injectInterrupt(40);
        assertLines(pulse(0x0100_0028), fake.irqLines);
    }

    @Test
    void theIrqWordPacksTypeIndexAndIntidAsTheHeaderSays() {
        assertEquals(0x0100_0028, KvmIoctls.armIrq(KvmIoctls.KVM_ARM_IRQ_TYPE_SPI, 0, 40));
        assertEquals(0x02FF_001F, KvmIoctls.armIrq(KvmIoctls.KVM_ARM_IRQ_TYPE_PPI, 255, 31));
        // index 300 = 0x12C: low byte in 23:16, bits 11:8 in 31:28 (KVM_ARM_IRQ_VCPU2_SHIFT)
        assertEquals(0x122C_0011, KvmIoctls.armIrq(KvmIoctls.KVM_ARM_IRQ_TYPE_PPI, 300, 17));
    }

    @Test
    void interruptsInjectedBeforeInitWaitForTheFirstRunThenComeBeforeTheEntry() {
        KvmVm vm = vm();
        KvmArm64VCpu v = vcpu(vm, 0);
        v.injectInterrupt(40);
        v.injectInterrupt(20);
        v.injectInterrupt(40);
        assertTrue(fake.irqLines.isEmpty(), "KVM refuses KVM_IRQ_LINE before CTRL_INIT (EBUSY)");
        fake.log.clear();
        queueExit();
        v.run();
        assertEquals(List.of(CTRL_INIT, "KVM_IRQ_LINE(0x01000028, 1)", "KVM_IRQ_LINE(0x01000028, 0)",
                "KVM_IRQ_LINE(0x02000014, 1)", "KVM_IRQ_LINE(0x02000014, 0)", "KVM_RUN"), vgicLog(),
                "in injection order, and an interrupt injected twice while held is pending once");
        fake.log.clear();
        queueExit();
        v.run();
        assertEquals(List.of("KVM_RUN"), vgicLog(), "delivered once");
    }

    @Test
    void heldInterruptsAreRaisedByWhicheverVCpuRunsFirst() {
        KvmVm vm = vm();
        KvmArm64VCpu first = vcpu(vm, 0);
        KvmArm64VCpu second = vcpu(vm, 1);
        second.injectInterrupt(50); // an SPI through a vCPU that never runs
        second.injectInterrupt(23); // second's PPI
        fake.log.clear();
        queueExit();
        first.run();
        assertEquals(List.of(CTRL_INIT, "KVM_IRQ_LINE(0x01000032, 1)", "KVM_IRQ_LINE(0x01000032, 0)",
                "KVM_IRQ_LINE(0x02010017, 1)", "KVM_IRQ_LINE(0x02010017, 0)", "KVM_RUN"), vgicLog());
    }

    @Test
    void createVCpuAfterInitIsRefusedWithTheReasonAndNoIoctl() {
        KvmVm vm = vm();
        KvmArm64VCpu v = vcpu(vm, 0);
        queueExit();
        v.run();
        fake.log.clear();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> vcpu(vm, 1));
        assertTrue(e.getMessage().contains("vCPU 1 cannot be created"), e.getMessage());
        assertTrue(e.getMessage().contains("KVM_DEV_ARM_VGIC_CTRL_INIT"), e.getMessage());
        assertTrue(e.getMessage().contains("before the first run()"), e.getMessage());
        assertTrue(fake.log.isEmpty(), fake.log.toString());
    }

    @Test
    void theRedistributorRegionLimitsTheVCpuCount() {
        KvmVm vm = vm();
        assertEquals(123, KvmVgicV3.MAX_REDISTRIBUTORS, "(0x0900_0000 - 0x080A_0000) / 128 KiB");
        for (int id = 0; id < 123; id++) {
            vcpu(vm, id);
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> vcpu(vm, 123));
        assertTrue(e.getMessage().contains("123 redistributors"), e.getMessage());
    }

    @Test
    void badIntidsAreRefusedNamingTheRangeAndTouchNothing() {
        KvmVm vm = vm();
        KvmArm64VCpu v = vcpu(vm, 0);
        queueExit();
        v.run();
        for (int sgi : new int[] {0, 1, 15}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> v.injectInterrupt(sgi));
            assertTrue(e.getMessage().contains("SGI (0-15)") && e.getMessage().contains("ICC_SGI1R_EL1"),
                    e.getMessage());
        }
        for (int special : new int[] {1020, 1023, 8192, Integer.MAX_VALUE}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> v.injectInterrupt(special));
            assertTrue(e.getMessage().contains("INTID " + special + " is out of range"), e.getMessage());
        }
        for (int beyond : new int[] {992, 1019}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> v.injectInterrupt(beyond));
            assertTrue(e.getMessage().contains("SPIs are 32-991"), e.getMessage());
        }
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class, () -> v.injectInterrupt(-1));
        assertTrue(negative.getMessage().contains("negative"), negative.getMessage());
        assertTrue(fake.irqLines.isEmpty());
    }

    @Test
    void aHostWithoutVgicV3RunsGuestsButInjectionNamesTheErrno() {
        fake.vgicErrno = FakeKvmCalls.ENODEV;
        KvmVm vm = vm();
        KvmArm64VCpu v = vcpu(vm, 0);
        assertFalse(vm.vgic().available());
        queueExit();
        assertInstanceOf(VCpuExit.MmioWrite.class, v.run());
        assertFalse(fake.log.stream().anyMatch(s -> s.contains("(vgic ")), "no attributes, no CTRL_INIT");
        KvmException e = assertThrows(KvmException.class, () -> v.injectInterrupt(40));
        assertEquals(FakeKvmCalls.ENODEV, e.errno());
        assertTrue(e.getMessage().contains("KVM_CREATE_DEVICE(vm fd 10, KVM_DEV_TYPE_ARM_VGIC_V3) failed: ENODEV (19)"),
                e.getMessage());
        assertTrue(e.getMessage().contains("cannot inject INTID 40"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> v.injectInterrupt(3), "a bad INTID is still a bad INTID");
        assertInstanceOf(KvmArm64VCpu.class, vcpu(vm, 1), "without a vGIC, KVM accepts vCPUs after the first run");
        assertTrue(fake.irqLines.isEmpty());
        vm.close();
        assertEquals(List.of(VM_FD), fake.closedFds, "there is no device fd to close");
    }

    @Test
    void aFailedAddressLeavesNoDeviceFdAndFailsTheVmNamingIt() {
        fake.failingVgicAttr = "0/3";
        KvmVm vm = vm();
        KvmException e = assertThrows(KvmException.class, () -> vcpu(vm, 0));
        assertTrue(e.getMessage().contains("redistributor base"), e.getMessage());
        assertEquals(22, e.errno());
        assertEquals(List.of(FakeKvmCalls.VGIC_FD), fake.closedFds);
    }

    @Test
    void aFailedInitFailsTheRunBeforeAnyEntry() {
        fake.failingVgicAttr = "4/0";
        KvmArm64VCpu v = vcpu(vm(), 0);
        KvmException e = assertThrows(KvmException.class, v::run);
        assertTrue(e.getMessage().contains("KVM_DEV_ARM_VGIC_CTRL_INIT"), e.getMessage());
        assertFalse(fake.log.contains("KVM_RUN"));
    }

    @Test
    void closingTheVmClosesTheDeviceBeforeTheVm() {
        KvmVm vm = vm();
        vcpu(vm, 0).close();
        fake.closedFds.clear();
        vm.close();
        vm.close();
        assertEquals(List.of(FakeKvmCalls.VGIC_FD, VM_FD), fake.closedFds);
    }
}
