package org.vcpu4j.backend.kvm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.vcpu4j.api.AccessKind;
import org.vcpu4j.api.AccessWidth;
import org.vcpu4j.api.GuestIsa;
import org.vcpu4j.api.VCpuExit;
import org.vcpu4j.api.aarch64.Aarch64CreateConfig;
import org.vcpu4j.api.aarch64.Aarch64SetupConfig;
import org.vcpu4j.api.aarch64.Aarch64State;
import org.vcpu4j.api.aarch64.SystemRegister;
import org.vcpu4j.api.aarch64.Vec128;
import org.vcpu4j.backend.kvm.sys.KvmArm64Regs;
import org.vcpu4j.backend.kvm.sys.KvmIoctls;
import org.vcpu4j.backend.kvm.sys.KvmRun;
import org.vcpu4j.spi.aarch64.Psci;

/**
 * The arm64 path (VM set-up, vCPU init, ONE_REG marshalling, exit decoding, the PC contract) driven
 * by {@link FakeKvmCalls} with kvm_run images built here: this project's hosts are x86_64.
 */
class KvmArm64VCpuTest {
    private static final long MPIDR_ID = 0x6030_0000_0013_C005L;

    private final FakeKvmCalls fake = new FakeKvmCalls();

    private KvmVm vm() {
        return new KvmVm(fake, 10, GuestIsa.AARCH64, 3 * 4096, true, java.lang.foreign.MemorySegment.NULL);
    }

    private KvmArm64VCpu vcpu() {
        return (KvmArm64VCpu) vm().createVCpu(0, new Aarch64CreateConfig(0x0102, 0x4000_0000L));
    }

    @Test
    void theVmForwardsBothPsciRangesAndAsksForNisvExits() {
        KvmVm vm = vm();
        assertTrue(vm.psciForwarded());
        assertEquals(2, fake.filters.size());
        assertArrayEquals(new int[] {0, 0, Psci.BASE32, 0x20, KvmIoctls.KVM_SMCCC_FILTER_FWD_TO_USER}, fake.filters.get(0));
        assertArrayEquals(new int[] {0, 0, Psci.BASE64, 0x20, KvmIoctls.KVM_SMCCC_FILTER_FWD_TO_USER}, fake.filters.get(1));
        assertEquals(List.of(KvmIoctls.KVM_CAP_ARM_NISV_TO_USER), fake.enabledCaps);
    }

    @Test
    void withoutTheSmcccFilterPsciStaysInTheKernel() {
        fake.hasSmcccFilter = false;
        fake.nisvToUser = false;
        KvmVm vm = vm();
        assertFalse(vm.psciForwarded());
        assertTrue(fake.filters.isEmpty());
        assertTrue(fake.enabledCaps.isEmpty());
    }

    @Test
    void creationInitsThePreferredTargetWithPsci02AndSetsMpidrAndX0() {
        vcpu();
        assertEquals(FakeKvmCalls.TARGET, fake.initTarget);
        assertEquals(1 << 2, fake.initFeatures, "KVM_ARM_VCPU_PSCI_0_2 is bit 2");
        assertEquals(0x8000_0102L, fake.reg(MPIDR_ID), "MPIDR with RES1 bit 31");
        assertEquals(0x4000_0000L, fake.reg(0x6030_0000_0010_0000L), "x0 = the device tree");
    }

    @Test
    void mpidrIsLeftAloneWhenKvmAlreadyHasTheAffinity() {
        fake.reg(MPIDR_ID, 0x8000_0003L);
        vm().createVCpu(3, Aarch64CreateConfig.ofMpidr(3));
        assertFalse(fake.log.contains(String.format("KVM_SET_ONE_REG(0x%x)", MPIDR_ID)), fake.log.toString());
        assertTrue(fake.log.contains(String.format("KVM_GET_ONE_REG(0x%x)", MPIDR_ID)), fake.log.toString());
    }

    @Test
    void coreRegisterIdsFollowStructKvmRegs() {
        KvmArm64VCpu v = vcpu();
        v.setGpr(5, 55);
        assertEquals(55, fake.reg(0x6030_0000_0010_000AL));
        fake.reg(0x6030_0000_0010_003CL, 0x3030);
        assertEquals(0x3030, v.gpr(30));
        v.setEntry(0x8_0000);
        assertEquals(0x8_0000, fake.reg(0x6030_0000_0010_0040L), "PC");
        assertEquals(0x6030_0000_0010_003EL, KvmArm64Regs.spEl0());
        assertEquals(0x6030_0000_0010_0042L, KvmArm64Regs.pstate());
        assertEquals(0x6030_0000_0010_0044L, KvmArm64Regs.spEl1());
        assertEquals(0x6030_0000_0010_0046L, KvmArm64Regs.elrEl1());
        assertEquals(0x6030_0000_0010_0048L, KvmArm64Regs.spsrEl1());
        assertEquals(0x6040_0000_0010_0054L, KvmArm64Regs.v(0));
        assertEquals(0x6040_0000_0010_00D0L, KvmArm64Regs.v(31));
        assertEquals(0x6020_0000_0010_00D4L, KvmArm64Regs.fpsr());
        assertEquals(0x6020_0000_0010_00D5L, KvmArm64Regs.fpcr());
    }

    @Test
    void setupEntersEl1hMaskedWithTheMmuOff() {
        KvmArm64VCpu v = vcpu();
        v.setup(Aarch64SetupConfig.defaults());
        assertEquals(Aarch64State.PSTATE_EL1H_MASKED, fake.reg(KvmArm64Regs.pstate()));
        assertEquals(0x30C5_0830L, fake.reg(0x6030_0000_0013_C080L), "SCTLR_EL1");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> vcpu().setup(Aarch64SetupConfig.defaults().trapping(SystemRegister.ACTLR_EL1.issAddress())));
        assertTrue(e.getMessage().contains("cannot trap"), e.getMessage());
    }

    @Test
    void theTimerIdsAreSwappedLikeTheHeader() {
        assertEquals(0x6030_0000_0013_DF1AL, KvmArm64Regs.KVM_REG_ARM_TIMER_CNT);
        assertEquals(0x6030_0000_0013_DF02L, KvmArm64Regs.KVM_REG_ARM_TIMER_CVAL);
        assertEquals(0x6030_0000_0013_DF19L, KvmArm64Regs.KVM_REG_ARM_TIMER_CTL);
        KvmArm64VCpu v = vcpu();
        fake.reg(KvmArm64Regs.KVM_REG_ARM_TIMER_CNT, 777);
        fake.reg(KvmArm64Regs.KVM_REG_ARM_TIMER_CVAL, 888);
        Aarch64State s = (Aarch64State) v.saveState();
        assertEquals(777, s.sys(SystemRegister.CNTVCT_EL0));
        assertEquals(888, s.sys(SystemRegister.CNTV_CVAL_EL0));
        v.restoreState(s.toBuilder().sys(SystemRegister.CNTVCT_EL0, 1).sys(SystemRegister.CNTV_CVAL_EL0, 2).build());
        assertEquals(1, fake.reg(KvmArm64Regs.KVM_REG_ARM_TIMER_CNT));
        assertEquals(2, fake.reg(KvmArm64Regs.KVM_REG_ARM_TIMER_CVAL));
    }

    @Test
    void saveAndRestoreCoverCoreFpAndSystemRegisters() {
        KvmArm64VCpu v = vcpu();
        fake.registers.put(KvmArm64Regs.v(3), new long[] {0x1111, 0x2222});
        fake.reg(KvmArm64Regs.fpcr(), 0x0300_0000L);
        fake.reg(KvmArm64Regs.pc(), 0x8_0004);
        fake.reg(0x6030_0000_0013_C600L, 0x9000); // VBAR_EL1
        Aarch64State s = (Aarch64State) v.saveState();
        assertEquals(new Vec128(0x1111, 0x2222), s.v(3));
        assertEquals(0x0300_0000L, s.fpcr());
        assertEquals(0x8_0004, s.pc());
        assertEquals(0x9000, s.sys(SystemRegister.VBAR_EL1));
        assertEquals(0x4000_0000L, s.x(0));
        Aarch64State changed = s.toBuilder().x(7, 7).v(31, new Vec128(-1, 5)).fpsr(0x8000_0000L).build();
        v.restoreState(changed);
        assertEquals(changed, v.saveState());
        assertArrayEquals(new long[] {-1, 5}, fake.registers.get(KvmArm64Regs.v(31)));
    }

    @Test
    void mmioWriteExitAndThePcContractBeforeRegisterAccess() {
        KvmArm64VCpu v = vcpu();
        fake.exits.add(run -> {
            KvmRun.exit_reason(run, KvmIoctls.KVM_EXIT_MMIO);
            KvmRun.mmio_phys_addr(run, 0x900_0000L);
            KvmRun.mmio_len(run, 4);
            KvmRun.mmio_is_write(run, (byte) 1);
            KvmRun.mmio_data(run, 0xAABB_CCDD_1122_3344L);
        });
        assertEquals(new VCpuExit.MmioWrite(0x900_0000L, AccessWidth.DWORD, 0x1122_3344L), v.run());
        fake.log.clear();
        v.gpr(1);
        assertEquals("KVM_RUN(immediate_exit)", fake.log.get(0), "KVM finishes the store before registers are read");
        fake.log.clear();
        v.gpr(1);
        assertFalse(fake.log.contains("KVM_RUN(immediate_exit)"), "only once");
    }

    @Test
    void mmioReadIsCompletedThroughKvmRunData() {
        KvmArm64VCpu v = vcpu();
        fake.exits.add(run -> {
            KvmRun.exit_reason(run, KvmIoctls.KVM_EXIT_MMIO);
            KvmRun.mmio_phys_addr(run, 0x900_0010L);
            KvmRun.mmio_len(run, 2);
            KvmRun.mmio_is_write(run, (byte) 0);
        });
        VCpuExit.MmioRead read = assertInstanceOf(VCpuExit.MmioRead.class, v.run());
        assertEquals(0x900_0010L, read.address());
        assertEquals(AccessWidth.WORD, read.width());
        fake.log.clear();
        v.gpr(2);
        assertFalse(fake.log.contains("KVM_RUN(immediate_exit)"), "no completion before the value is supplied");
        v.completeMmioRead(read, 0xFFFF_8001L);
        assertEquals(0x8001L, KvmRun.mmio_data(v.run), "mmio.data holds len bytes, little-endian, masked");
        fake.log.clear();
        v.gpr(2);
        assertEquals("KVM_RUN(immediate_exit)", fake.log.get(0));
    }

    @Test
    void nisvIsANestedPageFaultWithTheAccessDirection() {
        KvmArm64VCpu v = vcpu();
        fake.exits.add(run -> {
            KvmRun.exit_reason(run, KvmIoctls.KVM_EXIT_ARM_NISV);
            KvmRun.arm_nisv_esr_iss(run, 1L << 6);
            KvmRun.arm_nisv_fault_ipa(run, 0x1234_5000L);
        });
        fake.exits.add(run -> {
            KvmRun.exit_reason(run, KvmIoctls.KVM_EXIT_ARM_NISV);
            KvmRun.arm_nisv_esr_iss(run, 0);
            KvmRun.arm_nisv_fault_ipa(run, 0x1234_6000L);
        });
        assertEquals(new VCpuExit.NestedPageFault(0x1234_5000L, AccessKind.WRITE), v.run());
        assertEquals(new VCpuExit.NestedPageFault(0x1234_6000L, AccessKind.READ), v.run());
    }

    @Test
    void systemEventsAreSystemDownAndSystemReset() {
        KvmArm64VCpu v = vcpu();
        for (int type : new int[] {1, 2, 3}) {
            fake.exits.add(run -> {
                KvmRun.exit_reason(run, KvmIoctls.KVM_EXIT_SYSTEM_EVENT);
                KvmRun.system_event_type(run, type);
            });
        }
        assertInstanceOf(VCpuExit.SystemDown.class, v.run());
        assertInstanceOf(VCpuExit.SystemReset.class, v.run());
        VCpuExit.InternalError crash = assertInstanceOf(VCpuExit.InternalError.class, v.run());
        assertTrue(crash.description().contains("crash"), crash.description());
    }

    @Test
    void forwardedPsciCallsBecomeTheirExitsAndOtherCallsHypercalls() {
        KvmArm64VCpu v = vcpu();
        Runnable hypercall = () -> fake.exits.add(run -> {
            KvmRun.exit_reason(run, KvmIoctls.KVM_EXIT_HYPERCALL);
            KvmRun.hypercall_nr(run, fake.reg(KvmArm64Regs.x(0)));
            KvmRun.hypercall_flags(run, KvmIoctls.KVM_HYPERCALL_EXIT_SMC);
        });
        fake.reg(KvmArm64Regs.x(0), Psci.CPU_ON_64 & 0xFFFF_FFFFL);
        fake.reg(KvmArm64Regs.x(1), 1);
        fake.reg(KvmArm64Regs.x(2), 0x8_1000);
        fake.reg(KvmArm64Regs.x(3), 42);
        hypercall.run();
        assertEquals(new VCpuExit.CpuUp(1, 0x8_1000, 42), v.run());
        fake.reg(KvmArm64Regs.x(0), Psci.SYSTEM_OFF & 0xFFFF_FFFFL);
        hypercall.run();
        assertInstanceOf(VCpuExit.SystemDown.class, v.run());
        fake.reg(KvmArm64Regs.x(0), 0x8600_0001L);
        for (int i = 1; i <= 6; i++) {
            fake.reg(KvmArm64Regs.x(i), 100 + i);
        }
        hypercall.run();
        assertEquals(new VCpuExit.Hypercall(0x8600_0001L, List.of(101L, 102L, 103L, 104L, 105L, 106L)), v.run());
        v.setReturnValue(Psci.NOT_SUPPORTED);
        assertEquals(-1L, fake.reg(KvmArm64Regs.x(0)));
    }

    @Test
    void aRequestedExitReturnsInterruptedOnceAndUnknownExitsAreInternalErrors() {
        KvmArm64VCpu v = vcpu();
        v.requestExit();
        assertInstanceOf(VCpuExit.Interrupted.class, v.run());
        assertEquals(0, KvmRun.immediate_exit(v.run), "cleared after the Interrupted exit");
        fake.exits.add(run -> KvmRun.exit_reason(run, KvmIoctls.KVM_EXIT_DEBUG));
        VCpuExit.InternalError e = assertInstanceOf(VCpuExit.InternalError.class, v.run());
        assertEquals(KvmIoctls.KVM_EXIT_DEBUG, e.code());
        assertTrue(e.description().contains("KVM_EXIT_DEBUG"), e.description());
    }

    @Test
    void closeReleasesTheMappingAndTheFd() {
        KvmArm64VCpu v = vcpu();
        v.close();
        v.requestExit();
        assertFalse(fake.log.contains("kick"), "a request after close touches nothing");
        assertEquals(1, fake.unmapped);
        assertEquals(List.of(20), fake.closedFds);
    }
}
