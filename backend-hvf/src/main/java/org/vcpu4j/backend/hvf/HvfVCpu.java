package org.vcpu4j.backend.hvf;

import java.lang.foreign.MemorySegment;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vcpu4j.api.BackendException;
import org.vcpu4j.api.IllegalVCpuStateException;
import org.vcpu4j.api.RegisterState;
import org.vcpu4j.api.VCpuExit;
import org.vcpu4j.api.VCpuSetupConfig;
import org.vcpu4j.api.VCpuState;
import org.vcpu4j.api.aarch64.Aarch64CreateConfig;
import org.vcpu4j.api.aarch64.Aarch64SetupConfig;
import org.vcpu4j.api.aarch64.Aarch64State;
import org.vcpu4j.api.aarch64.SystemRegister;
import org.vcpu4j.api.aarch64.Vec128;
import org.vcpu4j.backend.hvf.sys.HvReg;
import org.vcpu4j.backend.hvf.sys.HvSysReg;
import org.vcpu4j.backend.hvf.sys.HvVcpuExit;
import org.vcpu4j.backend.hvf.sys.HvfApi;
import org.vcpu4j.backend.hvf.sys.HvfException;
import org.vcpu4j.spi.ArchVCpu;
import org.vcpu4j.spi.aarch64.Completion;
import org.vcpu4j.spi.aarch64.Esr;
import org.vcpu4j.spi.aarch64.Gprs;
import org.vcpu4j.spi.aarch64.TrapDecoder;

/**
 * One AArch64 vCPU on Hypervisor.framework.
 *
 * <p><b>Threads.</b> The framework ties a vCPU to the thread that creates it, so the native vCPU is
 * created by {@link #bind()} on the binding thread and destroyed by {@link #unbind()} (after its state
 * is read back) or {@link #close()} on that thread. Without a native vCPU (before bind, after unbind) the
 * registers live in a {@link RegisterCache}; bind writes the whole cache into the new native vCPU. While
 * a native vCPU exists, every call from another thread is refused, except {@link #requestExit()}
 * ({@code hv_vcpus_exit}).
 *
 * <p><b>Exits.</b> {@code HV_EXIT_REASON_EXCEPTION} is decoded by {@link TrapDecoder} from the exit's
 * syndrome and physical address, and the PC is advanced where it says (MMIO, system register, SMC, WFx;
 * not HVC, whose ELR already points past it). {@code HV_EXIT_REASON_CANCELED} becomes {@code
 * Interrupted} when {@link #requestExit()} asked for it (a stale cancel re-enters the guest). {@code
 * HV_EXIT_REASON_VTIMER_ACTIVATED} makes PPI 27 pending in the backend's GIC CPU interface (the guest
 * takes it at the next entry) and is reported as {@code ExternalInterrupt(27)}, the PC at the next
 * instruction to run; see {@link #prepareEntry()} for when the timer is unmasked.
 *
 * <p><b>V registers.</b> {@code hv_vcpu_set_simd_fp_reg} takes a 128-bit vector by value, which a
 * downcall cannot pass. Values with bits 127:64 zero go through it as a {@code double} ({@link
 * HvfApi#setSimdFpRegLow}); when a value with upper bits must be written, the backend instead runs
 * {@link VectorLoadStub} in the guest, which loads all 32 registers from the VM's scratch page.
 *
 * <p><b>Interrupts.</b> Without the macOS 15 GIC the framework has one IRQ line per vCPU and no
 * interrupt ids, and it traps the guest's ICC_* accesses. The backend answers them with a {@link
 * GicCpuInterface} (unless the setup lists them as trapped: then they are exits for the VMM), {@link
 * #injectInterrupt(int)} makes an id pending there, and while the model signals an IRQ the line is
 * asserted before every {@code hv_vcpu_run} (the framework drops it when the run returns). The virtual
 * timer is the model's PPI 27.
 */
final class HvfVCpu implements ArchVCpu {
    /** The virtual timer's interrupt: PPI 11, GIC INTID 27 (Arm BSA; Linux's arch_timer uses it). */
    static final int VTIMER_INTID = 27;
    /** SCTLR_EL1 after setup, as arm_vcpu leaves it (MMU and caches off, RES1 bits set). */
    static final long SCTLR_EL1_SETUP = 0x30C5_0830L;
    /** MPIDR_EL1 bit 31 is RES1. */
    static final long MPIDR_RES1 = 1L << 31;
    /** CPACR_EL1.FPEN, bits 21:20 = 0b11: FP/SIMD does not trap at EL0 or EL1 (Arm ARM D24.2.33). */
    private static final long CPACR_FPEN = 3L << 20;
    /** How many entries the vector-load stub may take (cancels and timer exits) before it is a failure. */
    private static final int STUB_MAX_ENTRIES = 16;
    /** CNTV_CTL_EL0 (Arm ARM D24.11): ENABLE bit 0, IMASK bit 1, ISTATUS bit 2. */
    private static final long CNTV_ENABLE = 1;
    private static final long CNTV_IMASK = 2;
    private static final long CNTV_ISTATUS = 4;

    private static final Logger LOG = LoggerFactory.getLogger(HvfVCpu.class);
    private static final VCpuExit.Interrupted INTERRUPTED = new VCpuExit.Interrupted();
    private static final VCpuExit.ExternalInterrupt VTIMER_EXIT = new VCpuExit.ExternalInterrupt(VTIMER_INTID);
    private static final SystemRegister[] SYSTEM_REGISTERS = SystemRegister.values();
    private static final HvSysReg[] HV_SYS_REGS = HvSysReg.values();

    private final HvfVm vm;
    private final HvfApi api;
    private final int id;
    private final RegisterCache cache = new RegisterCache();
    /** Registers of the state with no hv_sys_reg_t: held here whether or not a native vCPU exists. */
    private final long[] shadow = new long[SYSTEM_REGISTERS.length];
    private final GicCpuInterface gic = new GicCpuInterface();
    private Set<Long> trappedSystemRegisters = Set.of();
    private final Object nativeLock = new Object();
    private final AtomicBoolean exitRequested = new AtomicBoolean();
    private final Gprs gprs = new Gprs() {
        @Override
        public long x(int n) {
            return reg(HvReg.X0 + n);
        }

        @Override
        public void setX(int n, long value) {
            setReg(HvReg.X0 + n, value);
        }
    };

    // Written on the owning thread under nativeLock; read by requestExit under nativeLock.
    private volatile boolean live;
    private long handle;
    private MemorySegment exitInfo;
    private Thread owner;

    private volatile boolean inGuest;
    private boolean vtimerMasked;
    private long lastFaultAddress;
    private int lastInstructionLength = 4;

    HvfVCpu(HvfVm vm, int id, Aarch64CreateConfig config) {
        this.vm = vm;
        this.api = vm.api();
        this.id = id;
        cache.reg[HvReg.X0] = config.dtbAddress();
        cache.reg[HvReg.CPSR] = Aarch64State.PSTATE_EL1H_MASKED;
        cache.sys[HvSysReg.MPIDR_EL1.ordinal()] = config.mpidr() | MPIDR_RES1;
        cache.vtimerOffset = vm.vtimerBase();
    }

    // ---- lifecycle -------------------------------------------------------------------------------

    @Override
    public void setEntry(long guestAddress) {
        checkThread("setEntry");
        setReg(HvReg.PC, guestAddress);
    }

    @Override
    public void setup(VCpuSetupConfig config) {
        checkThread("setup");
        Aarch64SetupConfig c = (Aarch64SetupConfig) config;
        setReg(HvReg.CPSR, Aarch64State.PSTATE_EL1H_MASKED);
        setSys(HvSysReg.SCTLR_EL1, SCTLR_EL1_SETUP);
        trappedSystemRegisters = c.trappedSystemRegisters();
        if (!c.passthroughTimer() || !c.passthroughInterrupt() || !c.trappedSystemRegisters().isEmpty()) {
            LOG.debug("vCPU {}: Hypervisor.framework decides which registers and timers trap; {} is applied as far as"
                    + " the framework allows (see backend-hvf README)", id, c);
        }
    }

    @Override
    public void bind() {
        Thread current = Thread.currentThread();
        if (live) {
            if (owner == current) {
                return;
            }
            throw new IllegalVCpuStateException("vCPU " + id + ": its Hypervisor.framework vCPU belongs to " + owner
                    + "; unbind() it there before binding on " + current, VCpuState.FREE);
        }
        HvfApi.VCpuHandle created = api.vcpuCreate();
        synchronized (nativeLock) {
            handle = created.vcpu();
            exitInfo = created.exit();
            owner = current;
            live = true;
        }
        try {
            flushCache();
        } catch (RuntimeException e) {
            try {
                destroyNative();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    @Override
    public void unbind() {
        checkThread("unbind");
        if (!live) {
            return;
        }
        readIntoCache();
        destroyNative();
    }

    @Override
    public void close() {
        if (!live) {
            return;
        }
        if (owner != Thread.currentThread()) {
            throw new BackendException("vCPU " + id + " is bound to " + owner + ": Hypervisor.framework destroys a"
                    + " vCPU only on its own thread; unbind() or close() it on that thread");
        }
        destroyNative();
    }

    // ---- run ---------------------------------------------------------------------------------------

    @Override
    public VCpuExit run() {
        checkThread("run");
        if (!live) {
            throw new IllegalVCpuStateException("vCPU " + id + ": run() needs a bound vCPU", VCpuState.FREE);
        }
        for (;;) {
            inGuest = true;
            try {
                if (exitRequested.getAndSet(false)) {
                    return INTERRUPTED;
                }
                prepareEntry();
                api.vcpuRun(handle);
            } finally {
                inGuest = false;
            }
            VCpuExit exit = handleExit();
            if (exit != null) {
                return exit;
            }
        }
    }

    /**
     * Before each entry: unmask the virtual timer once the guest no longer asserts it (after a {@code
     * VTIMER_ACTIVATED} exit the framework masks it; it stays masked while CNTV_CTL_EL0 has ENABLE = 1,
     * IMASK = 0 and ISTATUS = 1, i.e. until the guest's handler reprogrammed, masked or disabled the
     * timer, as QEMU's hvf does; if PPI 27 was not acknowledged by then its level has dropped and it is
     * no longer pending), and assert the IRQ line while the GIC model signals an interrupt.
     */
    private void prepareEntry() {
        if (vtimerMasked) {
            long ctl = api.getSysReg(handle, HvSysReg.CNTV_CTL_EL0.code());
            boolean asserted = (ctl & CNTV_ENABLE) != 0 && (ctl & CNTV_IMASK) == 0 && (ctl & CNTV_ISTATUS) != 0;
            if (!asserted) {
                api.setVtimerMask(handle, false);
                vtimerMasked = false;
                gic.unpend(VTIMER_INTID); // the level dropped before the guest acknowledged it
            }
        }
        if (gic.signalled()) {
            api.setPendingInterrupt(handle, HvReg.INTERRUPT_IRQ, true);
        }
    }

    /** {@return the exit for the last run, or null to enter the guest again} */
    private VCpuExit handleExit() {
        int reason = HvVcpuExit.reason(exitInfo);
        return switch (reason) {
            case HvVcpuExit.REASON_CANCELED -> exitRequested.getAndSet(false) ? INTERRUPTED : null;
            case HvVcpuExit.REASON_EXCEPTION -> exception();
            case HvVcpuExit.REASON_VTIMER_ACTIVATED -> {
                vtimerMasked = true;
                gic.pend(VTIMER_INTID);
                yield VTIMER_EXIT;
            }
            default -> new VCpuExit.InternalError(reason, "Hypervisor.framework reported exit reason " + reason
                    + (reason == HvVcpuExit.REASON_UNKNOWN ? " (HV_EXIT_REASON_UNKNOWN)" : " (not a known reason)")
                    + String.format(", syndrome 0x%x", HvVcpuExit.syndrome(exitInfo)));
        };
    }

    private VCpuExit exception() {
        long esr = HvVcpuExit.syndrome(exitInfo);
        long ipa = HvVcpuExit.physicalAddress(exitInfo);
        lastFaultAddress = HvVcpuExit.virtualAddress(exitInfo);
        TrapDecoder.Decoded decoded = TrapDecoder.decode(esr, ipa, gprs);
        lastInstructionLength = decoded.instructionLength();
        if (decoded.advancePc()) {
            api.setReg(handle, HvReg.PC, api.getReg(handle, HvReg.PC) + decoded.instructionLength());
        }
        if (LOG.isTraceEnabled()) {
            LOG.trace("vCPU {}: ESR 0x{} IPA 0x{} -> {}", id, Long.toHexString(esr), Long.toHexString(ipa),
                    decoded.exit());
        }
        VCpuExit exit = decoded.exit();
        if (exit instanceof VCpuExit.SysRegRead read && answersItself(read.address())) {
            Completion.completeSysRegRead(read, gic.read(read.address()), gprs);
            return null;
        }
        if (exit instanceof VCpuExit.SysRegWrite write && answersItself(write.address())) {
            gic.write(write.address(), write.value());
            return null;
        }
        return exit;
    }

    /** The GIC CPU interface registers are answered here unless the VMM asked to trap them itself. */
    private boolean answersItself(long address) {
        return GicCpuInterface.handles(address) && !trappedSystemRegisters.contains(address);
    }

    @Override
    public void requestExit() {
        exitRequested.set(true);
        if (inGuest) {
            synchronized (nativeLock) {
                if (live) {
                    try {
                        api.vcpusExit(handle);
                    } catch (HvfException e) {
                        LOG.debug("vCPU {}: hv_vcpus_exit failed; the request stays pending: {}", id, e.getMessage());
                    }
                }
            }
        }
    }

    // ---- registers ---------------------------------------------------------------------------------

    @Override
    public void setGpr(int index, long value) {
        checkThread("setGpr");
        setReg(HvReg.X0 + index, value);
    }

    @Override
    public long gpr(int index) {
        checkThread("gpr");
        return reg(HvReg.X0 + index);
    }

    @Override
    public void injectInterrupt(int intid) {
        checkThread("injectInterrupt");
        checkInterrupt(intid);
        gic.pend(intid);
    }

    /** GIC INTIDs 0-1019 (the CPU interface this backend emulates); 1020-1023 are special, LPIs need an ITS. */
    @Override
    public void checkInterrupt(int intid) {
        if (intid < 0 || intid > 1019) {
            throw new IllegalArgumentException("the hvf backend's GIC CPU interface takes INTIDs 0-1019, not " + intid
                    + " (1020-1023 are special; LPIs need an ITS)");
        }
    }

    @Override
    public void setReturnValue(long value) {
        checkThread("setReturnValue");
        setReg(HvReg.X0, value);
    }

    @Override
    public void completeMmioRead(VCpuExit.MmioRead exit, long value) {
        checkThread("completeMmioRead");
        Completion.completeMmioRead(exit, value, gprs);
    }

    @Override
    public void completeMmioWithExternalAbort(VCpuExit exit) {
        checkThread("completeMmioWithExternalAbort");
        boolean write = exit instanceof VCpuExit.MmioWrite;
        long pstate = reg(HvReg.CPSR);
        ExternalAbort entry = ExternalAbort.compute(pstate, reg(HvReg.PC), lastInstructionLength, lastFaultAddress,
                write, sys(HvSysReg.VBAR_EL1), sys(HvSysReg.SCTLR_EL1));
        setSys(HvSysReg.ESR_EL1, entry.esr());
        setSys(HvSysReg.FAR_EL1, entry.far());
        setSys(HvSysReg.ELR_EL1, entry.elr());
        setSys(HvSysReg.SPSR_EL1, entry.spsr());
        setReg(HvReg.CPSR, entry.pstate());
        setReg(HvReg.PC, entry.pc());
    }

    @Override
    public void completeSysRegRead(VCpuExit.SysRegRead exit, long value) {
        checkThread("completeSysRegRead");
        Completion.completeSysRegRead(exit, value, gprs);
    }

    @Override
    public void completeIoRead(VCpuExit.IoRead exit, long value) {
        throw new UnsupportedOperationException("vCPU " + id + ": AArch64 has no port I/O; an hvf vCPU never"
                + " reports IoRead");
    }

    @Override
    public RegisterState saveState() {
        checkThread("saveState");
        Aarch64State.Builder b = Aarch64State.builder();
        for (int i = 0; i <= 30; i++) {
            b.x(i, reg(HvReg.X0 + i));
        }
        b.pc(reg(HvReg.PC)).pstate(reg(HvReg.CPSR)).fpcr(reg(HvReg.FPCR)).fpsr(reg(HvReg.FPSR));
        b.spEl0(sys(HvSysReg.SP_EL0)).spEl1(sys(HvSysReg.SP_EL1))
                .elrEl1(sys(HvSysReg.ELR_EL1)).spsrEl1(sys(HvSysReg.SPSR_EL1));
        for (int n = 0; n < HvReg.SIMD_FP_COUNT; n++) {
            b.v(n, simd(n));
        }
        for (SystemRegister r : SYSTEM_REGISTERS) {
            b.sys(r, systemRegister(r));
        }
        return b.build();
    }

    @Override
    public void restoreState(RegisterState state) {
        checkThread("restoreState");
        Aarch64State s = (Aarch64State) state;
        for (int i = 0; i <= 30; i++) {
            setReg(HvReg.X0 + i, s.x(i));
        }
        setReg(HvReg.PC, s.pc());
        setReg(HvReg.CPSR, s.pstate());
        setReg(HvReg.FPCR, s.fpcr());
        setReg(HvReg.FPSR, s.fpsr());
        setSys(HvSysReg.SP_EL0, s.spEl0());
        setSys(HvSysReg.SP_EL1, s.spEl1());
        setSys(HvSysReg.ELR_EL1, s.elrEl1());
        setSys(HvSysReg.SPSR_EL1, s.spsrEl1());
        for (SystemRegister r : SYSTEM_REGISTERS) {
            setSystemRegister(r, s.sys(r));
        }
        long[] simd = new long[2 * HvReg.SIMD_FP_COUNT];
        for (int n = 0; n < HvReg.SIMD_FP_COUNT; n++) {
            simd[2 * n] = s.v(n).low();
            simd[2 * n + 1] = s.v(n).high();
        }
        if (live) {
            writeVectors(simd);
        } else {
            System.arraycopy(simd, 0, cache.simd, 0, simd.length);
        }
    }

    // ---- register plumbing: native while live, else the cache ------------------------------------------

    private long reg(int hvReg) {
        return live ? api.getReg(handle, hvReg) : cache.reg[hvReg];
    }

    private void setReg(int hvReg, long value) {
        if (live) {
            api.setReg(handle, hvReg, value);
        } else {
            cache.reg[hvReg] = value;
        }
    }

    private long sys(HvSysReg r) {
        return live ? api.getSysReg(handle, r.code()) : cache.sys[r.ordinal()];
    }

    private void setSys(HvSysReg r, long value) {
        if (live) {
            api.setSysReg(handle, r.code(), value);
        } else {
            cache.sys[r.ordinal()] = value;
        }
    }

    private Vec128 simd(int n) {
        return live ? api.getSimdFpReg(handle, n) : new Vec128(cache.simd[2 * n], cache.simd[2 * n + 1]);
    }

    private long vtimerOffset() {
        return live ? api.getVtimerOffset(handle) : cache.vtimerOffset;
    }

    private void setVtimerOffset(long offset) {
        if (live) {
            api.setVtimerOffset(handle, offset);
        } else {
            cache.vtimerOffset = offset;
        }
    }

    /** CNTVCT_EL0 is the host count minus the vtimer offset; the rest map to hv_sys_reg_t or the shadow. */
    private long systemRegister(SystemRegister r) {
        if (r == SystemRegister.CNTVCT_EL0) {
            return api.machAbsoluteTime() - vtimerOffset();
        }
        HvSysReg h = HvSysReg.of(r).orElse(null);
        return h == null ? shadow[r.ordinal()] : sys(h);
    }

    private void setSystemRegister(SystemRegister r, long value) {
        if (r == SystemRegister.CNTVCT_EL0) {
            setVtimerOffset(api.machAbsoluteTime() - value);
            return;
        }
        HvSysReg h = HvSysReg.of(r).orElse(null);
        if (h == null) {
            shadow[r.ordinal()] = value;
        } else {
            setSys(h, value);
        }
    }

    /** Writes the whole cache into the just-created native vCPU. */
    private void flushCache() {
        for (int r = 0; r < HvReg.COUNT; r++) {
            api.setReg(handle, r, cache.reg[r]);
        }
        for (HvSysReg r : HV_SYS_REGS) {
            api.setSysReg(handle, r.code(), cache.sys[r.ordinal()]);
        }
        api.setVtimerOffset(handle, cache.vtimerOffset);
        writeVectors(cache.simd);
        if (vtimerMasked) {
            api.setVtimerMask(handle, true);
        }
    }

    /** Reads the native vCPU into the cache (before it is destroyed). */
    private void readIntoCache() {
        for (int r = 0; r < HvReg.COUNT; r++) {
            cache.reg[r] = api.getReg(handle, r);
        }
        for (HvSysReg r : HV_SYS_REGS) {
            cache.sys[r.ordinal()] = api.getSysReg(handle, r.code());
        }
        for (int n = 0; n < HvReg.SIMD_FP_COUNT; n++) {
            Vec128 v = api.getSimdFpReg(handle, n);
            cache.simd[2 * n] = v.low();
            cache.simd[2 * n + 1] = v.high();
        }
        cache.vtimerOffset = api.getVtimerOffset(handle);
    }

    private void destroyNative() {
        long h;
        synchronized (nativeLock) {
            live = false;
            h = handle;
            owner = null;
            exitInfo = null;
        }
        api.vcpuDestroy(h);
    }

    /**
     * Writes V0-V31 of the native vCPU: registers whose bits 127:64 are zero through {@code
     * hv_vcpu_set_simd_fp_reg} (see {@link HvfApi#setSimdFpRegLow}); if any register that changes has
     * bits 127:64 set, all 32 through {@link VectorLoadStub} run in the guest.
     *
     * @param simd V0-V31, two longs each
     */
    private void writeVectors(long[] simd) {
        boolean[] changed = new boolean[HvReg.SIMD_FP_COUNT];
        boolean needsGuest = false;
        for (int n = 0; n < HvReg.SIMD_FP_COUNT; n++) {
            Vec128 now = api.getSimdFpReg(handle, n);
            changed[n] = now.low() != simd[2 * n] || now.high() != simd[2 * n + 1];
            needsGuest |= changed[n] && simd[2 * n + 1] != 0;
        }
        if (needsGuest) {
            loadVectorsInGuest(simd);
            return;
        }
        for (int n = 0; n < HvReg.SIMD_FP_COUNT; n++) {
            if (changed[n]) {
                api.setSimdFpRegLow(handle, n, simd[2 * n]);
            }
        }
    }

    /**
     * Runs {@link VectorLoadStub} in the guest: saves X0, PC, CPSR, SCTLR_EL1 and CPACR_EL1, enters the
     * stub at EL1h with interrupts masked, the MMU off (SCTLR_EL1 = the setup value, M = 0: VA = IPA) and
     * FP enabled (CPACR_EL1.FPEN = 0b11), waits for its HVC, restores the five registers and checks the
     * result. A virtual-timer exit on the way makes PPI 27 pending as in {@link #run()}; a cancel is
     * ignored (a {@link #requestExit()} stays pending for the next run).
     */
    private void loadVectorsInGuest(long[] simd) {
        synchronized (vm) {
            MemorySegment page = vm.scratchPage();
            VectorLoadStub.writeData(page, simd);
            long x0 = api.getReg(handle, HvReg.X0);
            long pc = api.getReg(handle, HvReg.PC);
            long cpsr = api.getReg(handle, HvReg.CPSR);
            long sctlr = api.getSysReg(handle, HvSysReg.SCTLR_EL1.code());
            long cpacr = api.getSysReg(handle, HvSysReg.CPACR_EL1.code());
            try {
                api.setReg(handle, HvReg.X0, HvfVm.SCRATCH_IPA + VectorLoadStub.DATA_OFFSET);
                api.setReg(handle, HvReg.PC, HvfVm.SCRATCH_IPA);
                api.setReg(handle, HvReg.CPSR, Aarch64State.PSTATE_EL1H_MASKED);
                api.setSysReg(handle, HvSysReg.SCTLR_EL1.code(), SCTLR_EL1_SETUP);
                api.setSysReg(handle, HvSysReg.CPACR_EL1.code(), cpacr | CPACR_FPEN);
                runStub();
            } finally {
                api.setReg(handle, HvReg.X0, x0);
                api.setReg(handle, HvReg.PC, pc);
                api.setReg(handle, HvReg.CPSR, cpsr);
                api.setSysReg(handle, HvSysReg.SCTLR_EL1.code(), sctlr);
                api.setSysReg(handle, HvSysReg.CPACR_EL1.code(), cpacr);
            }
        }
        for (int n = 0; n < HvReg.SIMD_FP_COUNT; n++) {
            Vec128 v = api.getSimdFpReg(handle, n);
            if (v.low() != simd[2 * n] || v.high() != simd[2 * n + 1]) {
                throw new BackendException(String.format("vCPU %d: the guest stub that loads V registers left V%d = %s"
                        + " instead of 0x%016x_%016x", id, n, v, simd[2 * n + 1], simd[2 * n]));
            }
        }
    }

    private void runStub() {
        for (int entries = 0; entries < STUB_MAX_ENTRIES; entries++) {
            api.vcpuRun(handle);
            int reason = HvVcpuExit.reason(exitInfo);
            if (reason == HvVcpuExit.REASON_CANCELED) {
                continue;
            }
            if (reason == HvVcpuExit.REASON_VTIMER_ACTIVATED) {
                vtimerMasked = true;
                gic.pend(VTIMER_INTID);
                continue;
            }
            long esr = HvVcpuExit.syndrome(exitInfo);
            if (reason == HvVcpuExit.REASON_EXCEPTION && Esr.ec(esr) == Esr.EC_HVC64
                    && (Esr.iss(esr) & 0xFFFF) == VectorLoadStub.HVC_MARK) {
                return;
            }
            throw new BackendException(String.format("vCPU %d: the guest stub that loads V registers stopped with exit"
                    + " reason %d, ESR 0x%x, IPA 0x%x instead of its HVC #0x%x", id, reason, esr,
                    HvVcpuExit.physicalAddress(exitInfo), VectorLoadStub.HVC_MARK));
        }
        throw new BackendException("vCPU " + id + ": the guest stub that loads V registers did not finish in "
                + STUB_MAX_ENTRIES + " entries");
    }

    private void checkThread(String operation) {
        if (live && owner != Thread.currentThread()) {
            throw new IllegalVCpuStateException("vCPU " + id + ": " + operation + "() must be called on " + owner
                    + ", which owns its Hypervisor.framework vCPU, not on " + Thread.currentThread(), VCpuState.READY);
        }
    }

    @Override
    public String toString() {
        return "HvfVCpu[" + id + (live ? ", hv_vcpu_t " + handle + " on " + owner : ", not bound") + "]";
    }
}
