package org.vcpu4j.backend.kvm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.vcpu4j.api.AccessKind;
import org.vcpu4j.api.AccessWidth;
import org.vcpu4j.api.RegisterState;
import org.vcpu4j.api.VCpuExit;
import org.vcpu4j.api.VCpuSetupConfig;
import org.vcpu4j.api.aarch64.Aarch64CreateConfig;
import org.vcpu4j.api.aarch64.Aarch64SetupConfig;
import org.vcpu4j.api.aarch64.Aarch64State;
import org.vcpu4j.api.aarch64.SystemRegister;
import org.vcpu4j.api.aarch64.Vec128;
import org.vcpu4j.backend.kvm.sys.KvmArm64Regs;
import org.vcpu4j.backend.kvm.sys.KvmIoctls;
import org.vcpu4j.backend.kvm.sys.KvmIrqLevel;
import org.vcpu4j.backend.kvm.sys.KvmOneReg;
import org.vcpu4j.backend.kvm.sys.KvmRun;
import org.vcpu4j.backend.kvm.sys.KvmVcpuInit;
import org.vcpu4j.spi.aarch64.Gprs;
import org.vcpu4j.spi.aarch64.TrapDecoder;

/**
 * An AArch64 KVM vCPU (arm64 hosts): {@code KVM_ARM_VCPU_INIT} with PSCI 0.2 at creation, registers
 * through {@code KVM_GET/SET_ONE_REG}, exits decoded from {@code kvm_run}.
 *
 * <p>What KVM does itself: it decodes data aborts with a valid syndrome and completes MMIO loads into
 * the destination register (sign-extending as the instruction says) from {@code kvm_run.mmio.data} on
 * the next {@code KVM_RUN}, so an {@code MmioRead} exit here reports register 0 and no sign extension:
 * the completion only supplies the {@code len} bytes. It handles WFI by blocking, so no {@code Halt}
 * exit occurs. Data aborts without a valid syndrome arrive as {@code KVM_EXIT_ARM_NISV} (with
 * {@code KVM_CAP_ARM_NISV_TO_USER}) and become {@code NestedPageFault}. PSCI calls reach user space
 * as {@code KVM_EXIT_HYPERCALL} when the VM installed the SMCCC filter; otherwise KVM runs PSCI in the
 * kernel and SYSTEM_OFF/SYSTEM_RESET arrive as system events.
 *
 * <p>Interrupts go to the VM's in-kernel GICv3 ({@link KvmVgicV3}) with {@code KVM_IRQ_LINE}: PPIs
 * (16-31) to this vCPU's redistributor, SPIs (32-{@value KvmVgicV3#LAST_SPI}) to the distributor, which
 * routes them as the guest programmed {@code GICD_IROUTER}. Each injection raises and lowers the line,
 * an edge: {@link org.vcpu4j.api.VCpu#injectInterrupt} makes one interrupt pending with no call to
 * withdraw it, and a line left high would make a level-sensitive interrupt pending again after every
 * EOI. An edge-triggered interrupt stays pending until the guest acknowledges it: every SPI at KVM's
 * reset ({@code VGIC_CONFIG_EDGE} is 0 in the zeroed distributor state, include/kvm/arm_vgic.h) and until
 * the guest writes {@code GICD_ICFGR}. A level-sensitive one (an SPI the guest configured so, and every
 * PPI, which KVM keeps level-sensitive for its timers) is pending only while the line is high, so the
 * pulse is lost unless a vCPU takes it at once. As on a real
 * GIC the guest must also enable the distributor ({@code GICD_CTLR}) and the interrupt
 * ({@code GICD_ISENABLER}/{@code GICR_ISENABLER0}). Interrupts injected before the vGIC is initialised
 * (at the VM's first {@code run()} of any vCPU) are held by the vGIC and raised right after its
 * initialisation, before that first entry.
 */
final class KvmArm64VCpu extends KvmVCpu {
    /** SCTLR_EL1 after setup (RES1 bits, MMU and caches off), as arm_vcpu. */
    static final long SCTLR_EL1_RESET = 0x30C5_0830L;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment oneReg = arena.allocate(KvmOneReg.layout());
    private final MemorySegment value = arena.allocate(16, 16);
    private final Gprs gprs = new Gprs() {
        @Override
        public long x(int n) {
            return getReg(KvmArm64Regs.x(n));
        }

        @Override
        public void setX(int n, long v) {
            setReg(KvmArm64Regs.x(n), v);
        }
    };
    private final MemorySegment irqLevel = arena.allocate(KvmIrqLevel.layout());
    private final KvmVm vm;
    /** KVM's vCPU index (creation order), which names the vCPU in KVM_IRQ_LINE: see {@link #irqLine}. */
    private final int index;
    /** The vCPU id (the KVM_CREATE_VCPU argument). */
    private final int id;
    private boolean vgicReady;
    private boolean deferredExit;

    KvmArm64VCpu(KvmCalls calls, int fd, MemorySegment run, int target, Aarch64CreateConfig config,
            boolean psciForwarded, KvmVm vm, int id, int index) {
        super(calls, fd, run);
        this.vm = vm;
        this.id = id;
        this.index = index;
        MemorySegment init = arena.allocate(KvmVcpuInit.layout());
        KvmVcpuInit.target(init, target);
        KvmVcpuInit.features(init, 0, 1 << KvmIoctls.KVM_ARM_VCPU_PSCI_0_2);
        calls.ioctl(fd, KvmIoctls.KVM_ARM_VCPU_INIT, init);
        long mpidr = config.mpidr() | (1L << 31);
        // KVM derives MPIDR_EL1 from the vCPU id; write it only when the VMM asked for another affinity.
        if (getReg(sysReg(SystemRegister.MPIDR_EL1)) != mpidr) {
            setReg(sysReg(SystemRegister.MPIDR_EL1), mpidr);
        }
        if (config.dtbAddress() != 0) {
            setReg(KvmArm64Regs.x(0), config.dtbAddress());
        }
    }

    private static long sysReg(SystemRegister r) {
        return KvmArm64Regs.architecturalSysReg(r.op0(), r.op1(), r.crn(), r.crm(), r.op2());
    }

    /**
     * {@return a 64-bit register}
     *
     * @param id the ONE_REG id
     */
    long getReg(long id) {
        finishPendingInstruction();
        KvmOneReg.fill(oneReg, id, value);
        calls.ioctl(fd, KvmIoctls.KVM_GET_ONE_REG, oneReg);
        return (id & KvmArm64Regs.KVM_REG_SIZE_MASK) == KvmArm64Regs.KVM_REG_SIZE_U32
                ? Integer.toUnsignedLong(value.get(ValueLayout.JAVA_INT, 0)) : value.get(ValueLayout.JAVA_LONG, 0);
    }

    /**
     * Writes a 64-bit (or 32-bit) register.
     *
     * @param id the ONE_REG id
     * @param v the value
     */
    void setReg(long id, long v) {
        finishPendingInstruction();
        if ((id & KvmArm64Regs.KVM_REG_SIZE_MASK) == KvmArm64Regs.KVM_REG_SIZE_U32) {
            value.set(ValueLayout.JAVA_INT, 0, (int) v);
        } else {
            value.set(ValueLayout.JAVA_LONG, 0, v);
        }
        KvmOneReg.fill(oneReg, id, value);
        calls.ioctl(fd, KvmIoctls.KVM_SET_ONE_REG, oneReg);
    }

    private Vec128 getVector(int n) {
        finishPendingInstruction();
        KvmOneReg.fill(oneReg, KvmArm64Regs.v(n), value);
        calls.ioctl(fd, KvmIoctls.KVM_GET_ONE_REG, oneReg);
        return new Vec128(value.get(ValueLayout.JAVA_LONG, 0), value.get(ValueLayout.JAVA_LONG, 8));
    }

    private void setVector(int n, Vec128 v) {
        value.set(ValueLayout.JAVA_LONG, 0, v.low());
        value.set(ValueLayout.JAVA_LONG, 8, v.high());
        KvmOneReg.fill(oneReg, KvmArm64Regs.v(n), value);
        calls.ioctl(fd, KvmIoctls.KVM_SET_ONE_REG, oneReg);
    }

    private void finishPendingInstruction() {
        if (instructionPending && !loadAwaitingValue) {
            instructionPending = false;
            deferredExit = completePendingInstruction();
        }
    }

    @Override
    public void setEntry(long guestAddress) {
        setReg(KvmArm64Regs.pc(), guestAddress);
    }

    @Override
    public void setup(VCpuSetupConfig config) {
        Aarch64SetupConfig c = (Aarch64SetupConfig) config;
        if (!c.trappedSystemRegisters().isEmpty()) {
            throw new IllegalArgumentException("KVM does not forward system-register accesses to user space; "
                    + "the kvm backend cannot trap " + c.trappedSystemRegisters().stream()
                    .map(SystemRegister::describe).toList());
        }
        setReg(KvmArm64Regs.pstate(), Aarch64State.PSTATE_EL1H_MASKED);
        setReg(sysReg(SystemRegister.SCTLR_EL1), SCTLR_EL1_RESET);
    }

    @Override
    public VCpuExit run() {
        if (!vgicReady) {
            prepareVgic();
        }
        if (deferredExit) {
            deferredExit = false;
            return decode();
        }
        instructionPending = false;
        loadAwaitingValue = false;
        if (!enter()) {
            return new VCpuExit.Interrupted();
        }
        return decode();
    }

    /** {@return the exit now in kvm_run} */
    VCpuExit decode() {
        int reason = KvmRun.exit_reason(run);
        return switch (reason) {
            case KvmIoctls.KVM_EXIT_MMIO -> decodeMmio(w -> AccessWidth.QWORD);
            case KvmIoctls.KVM_EXIT_ARM_NISV -> {
                // ESR ISS bit 6 is WnR (Arm ARM D17.2.40, ISS encoding for a data abort).
                boolean write = (KvmRun.arm_nisv_esr_iss(run) & (1L << 6)) != 0;
                yield new VCpuExit.NestedPageFault(KvmRun.arm_nisv_fault_ipa(run),
                        write ? AccessKind.WRITE : AccessKind.READ);
            }
            case KvmIoctls.KVM_EXIT_SYSTEM_EVENT -> KvmX86VCpu.systemEvent(KvmRun.system_event_type(run));
            // SMCCC filter FWD_TO_USER: KVM has already moved PC past the HVC or SMC (handle_smc increments it).
            case KvmIoctls.KVM_EXIT_HYPERCALL -> TrapDecoder.call(gprs);
            case KvmIoctls.KVM_EXIT_FAIL_ENTRY -> new VCpuExit.FailEntry(
                    KvmRun.fail_entry_hardware_entry_failure_reason(run));
            default -> new VCpuExit.InternalError(reason, "unexpected " + KvmIoctls.exitName(reason));
        };
    }


    @Override
    public void setGpr(int index, long v) {
        gprs.setX(index, v);
    }

    @Override
    public long gpr(int index) {
        return gprs.x(index);
    }

    /** Before this vCPU's first entry: CTRL_INIT, once per VM (it raises the interrupts held until then). */
    private void prepareVgic() {
        vm.initialiseVgic();
        vgicReady = true;
    }

    /**
     * Makes a PPI (16-31, this vCPU's) or an SPI (32-{@value KvmVgicV3#LAST_SPI}) pending in the in-kernel
     * GICv3 with a rising and a falling edge on its line (see the class documentation); before the vGIC is
     * initialised it is held until the VM's first {@code run()}.
     *
     * @param intid the INTID
     * @throws IllegalArgumentException for an SGI (0-15, sent by the guest), a special or out-of-range
     *     INTID, or an SPI beyond the vGIC's {@value KvmVgicV3#NR_IRQS} interrupts
     * @throws IllegalStateException for a PPI on a vCPU whose id differs from its creation index
     * @throws KvmException if the host gave the VM no in-kernel GICv3 (naming the errno), or
     *     {@code KVM_IRQ_LINE} fails
     */
    @Override
    public void injectInterrupt(int intid) {
        checkInjectable(intid);
        KvmVgicV3 vgic = vm.vgic();
        vgic.requireAvailable(intid);
        vgic.inject(irqLevel, irqLine(intid));
    }

    @Override
    public void checkInterrupt(int intid) {
        checkInjectable(intid);
    }

    private void checkInjectable(int intid) {
        int lastSpi = vm.vgic() == null ? KvmVgicV3.LAST_SPI : vm.vgic().interrupts() - 1;
        if (intid < 0) {
            throw new IllegalArgumentException("INTID must not be negative: " + intid);
        }
        if (intid < 16) {
            throw new IllegalArgumentException("INTID " + intid + " is an SGI (0-15): SGIs are sent by the guest "
                    + "(ICC_SGI1R_EL1), not injected; inject a PPI (16-31) or an SPI (32-" + lastSpi + ")");
        }
        if (intid > 1019) {
            throw new IllegalArgumentException("INTID " + intid + " is out of range: GICv3 INTIDs 1020-1023 are "
                    + "special and LPIs (8192 and up) need an ITS, which the kvm backend does not create; inject a "
                    + "PPI (16-31) or an SPI (32-" + lastSpi + ")");
        }
        if (intid > lastSpi) {
            throw new IllegalArgumentException("SPI " + intid + " is beyond the in-kernel GICv3, which has "
                    + (lastSpi + 1) + " interrupts (its KVM_DEV_ARM_VGIC_GRP_NR_IRQS): SPIs are 32-" + lastSpi);
        }
    }

    /**
     * {@return {@code kvm_irq_level.irq} for a checked INTID: a PPI of this vCPU, or an SPI} The vCPU field
     * of a PPI is read by older kernels as the vCPU's index ({@code kvm_get_vcpu}) and by newer ones as its
     * id ({@code kvm_get_vcpu_by_id}, arch/arm64/kvm/arm.c {@code kvm_vm_ioctl_irq_line}); both read the
     * same vCPU only where the two agree, so PPIs are refused elsewhere.
     *
     * @param intid the INTID
     * @throws IllegalStateException for a PPI when this vCPU's id differs from its creation index
     */
    private int irqLine(int intid) {
        if (intid >= 32) {
            return KvmIoctls.armIrq(KvmIoctls.KVM_ARM_IRQ_TYPE_SPI, 0, intid);
        }
        if (id != index) {
            throw new IllegalStateException("PPI " + intid + " cannot be injected into vCPU " + id + ": KVM_IRQ_LINE "
                    + "names the target vCPU by its creation index on some kernels and by its id on others, and "
                    + "this vCPU's id " + id + " differs from its index " + index + "; create vCPUs with ids 0, 1, "
                    + "2, ... in that order to inject PPIs (SPIs are not affected)");
        }
        return KvmIoctls.armIrq(KvmIoctls.KVM_ARM_IRQ_TYPE_PPI, index, intid);
    }

    @Override
    public void setReturnValue(long v) {
        setReg(KvmArm64Regs.x(0), v);
    }

    @Override
    public void completeMmioRead(VCpuExit.MmioRead exit, long v) {
        // KVM writes Rt from mmio.data (len bytes, little-endian) and sign-extends per the instruction.
        KvmRun.mmio_data(run, v & exit.width().mask());
        loadAwaitingValue = false;
    }

    @Override
    public void completeMmioWithExternalAbort(VCpuExit exit) {
        throw new UnsupportedOperationException("KVM offers no way to answer an MMIO exit with an external abort "
                + "from user space without KVM_SET_VCPU_EVENTS (not used by this backend)");
    }

    @Override
    public void completeSysRegRead(VCpuExit.SysRegRead exit, long v) {
        throw new IllegalStateException("the kvm backend produces no system-register exits to complete");
    }

    @Override
    public void completeIoRead(VCpuExit.IoRead exit, long v) {
        throw new IllegalStateException("AArch64 has no port I/O exits to complete");
    }

    @Override
    public RegisterState saveState() {
        Aarch64State.Builder b = Aarch64State.builder();
        for (int i = 0; i < 31; i++) {
            b.x(i, getReg(KvmArm64Regs.x(i)));
        }
        b.spEl0(getReg(KvmArm64Regs.spEl0())).spEl1(getReg(KvmArm64Regs.spEl1())).pc(getReg(KvmArm64Regs.pc()))
                .pstate(getReg(KvmArm64Regs.pstate())).elrEl1(getReg(KvmArm64Regs.elrEl1()))
                .spsrEl1(getReg(KvmArm64Regs.spsrEl1()));
        for (int i = 0; i < 32; i++) {
            b.v(i, getVector(i));
        }
        b.fpcr(getReg(KvmArm64Regs.fpcr())).fpsr(getReg(KvmArm64Regs.fpsr()));
        for (SystemRegister r : SystemRegister.values()) {
            b.sys(r, getReg(sysReg(r)));
        }
        return b.build();
    }

    @Override
    public void restoreState(RegisterState state) {
        Aarch64State s = (Aarch64State) state;
        if (instructionPending) {
            instructionPending = false;
            loadAwaitingValue = false;
            completePendingInstruction();
        }
        deferredExit = false;
        for (int i = 0; i < 31; i++) {
            setReg(KvmArm64Regs.x(i), s.x(i));
        }
        setReg(KvmArm64Regs.spEl0(), s.spEl0());
        setReg(KvmArm64Regs.spEl1(), s.spEl1());
        setReg(KvmArm64Regs.pc(), s.pc());
        setReg(KvmArm64Regs.pstate(), s.pstate());
        setReg(KvmArm64Regs.elrEl1(), s.elrEl1());
        setReg(KvmArm64Regs.spsrEl1(), s.spsrEl1());
        for (int i = 0; i < 32; i++) {
            setVector(i, s.v(i));
        }
        setReg(KvmArm64Regs.fpcr(), s.fpcr());
        setReg(KvmArm64Regs.fpsr(), s.fpsr());
        for (SystemRegister r : SystemRegister.values()) {
            setReg(sysReg(r), s.sys(r));
        }
    }

    @Override
    public void close() {
        try {
            super.close();
        } finally {
            if (arena.scope().isAlive()) {
                arena.close();
            }
        }
    }
}
