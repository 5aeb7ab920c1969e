package org.vcpu4j.backend.emulated;

import java.util.Collections;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vcpu4j.api.BreakpointKind;
import org.vcpu4j.api.DebugCapability;
import org.vcpu4j.api.RegisterState;
import org.vcpu4j.api.VCpuExit;
import org.vcpu4j.api.VCpuSetupConfig;
import org.vcpu4j.api.WatchKind;
import org.vcpu4j.api.aarch64.Aarch64CreateConfig;
import org.vcpu4j.api.aarch64.Aarch64SetupConfig;
import org.vcpu4j.api.aarch64.Aarch64State;
import org.vcpu4j.api.aarch64.SystemRegister;
import org.vcpu4j.api.aarch64.Vec128;
import org.vcpu4j.backend.emulated.cpu.Cpu;
import org.vcpu4j.spi.ArchVCpu;
import org.vcpu4j.spi.aarch64.Completion;
import org.vcpu4j.spi.aarch64.GicV3Model;
import org.vcpu4j.spi.aarch64.Gprs;
import org.vcpu4j.spi.aarch64.TrapDecoder;

/**
 * An emulated vCPU: adapts {@link ArchVCpu} to the interpreter and turns its traps to the virtual EL2
 * into exits with the shared {@link TrapDecoder}.
 */
final class EmulatedVCpu implements ArchVCpu, Gprs {
    /** SCTLR_EL1 after setup: MMU and caches off, the RES1 bits set (arm_vcpu's value). */
    static final long SCTLR_RESET = 0x30C5_0830L;
    /** MPIDR_EL1 bit 31 is RES1. */
    static final long MPIDR_RES1 = 0x8000_0000L;

    private static final Logger LOG = LoggerFactory.getLogger(EmulatedVCpu.class);

    private static final Set<DebugCapability> DEBUG_CAPABILITIES = Collections.unmodifiableSet(
            EnumSet.allOf(DebugCapability.class));

    private final Cpu cpu;
    private final Set<Long> softwareBreakpoints = new HashSet<>();
    private final Set<Long> hardwareBreakpoints = new HashSet<>();
    private boolean singleStep;
    /** A single step ended in an exit to the VMM; the next run reports the step without running more. */
    private boolean stepEndedByTrap;

    private final EmulatedVm vm;
    /** The VM's GIC (or null) and this vCPU's part of it. */
    private final GicV3Model gic;
    private final GicV3Model.Cpu gicCpu;

    EmulatedVCpu(EmulatedVm vm, Aarch64CreateConfig config, long counterEpoch, AtomicLong codeGeneration,
            boolean instructionCountedTime) {
        this.vm = vm;
        this.cpu = new Cpu(vm::physical, counterEpoch, codeGeneration);
        if (instructionCountedTime) {
            cpu.countTimeInInstructions();
        }
        this.gic = vm.gic();
        this.gicCpu = gic == null ? null : gic.addCpu(MPIDR_RES1 | config.mpidr(), cpu::wakeUp);
        if (gicCpu != null) {
            cpu.attachGic(gicCpu);
        }
        Aarch64State.Builder initial = Aarch64State.reset().toBuilder()
                .x(0, config.dtbAddress())
                .sys(SystemRegister.MPIDR_EL1, MPIDR_RES1 | config.mpidr())
                .sys(SystemRegister.SCTLR_EL1, SCTLR_RESET);
        restore(initial.build());
    }

    @Override
    public void setEntry(long guestAddress) {
        cpu.pc = guestAddress;
    }

    @Override
    public void setup(VCpuSetupConfig config) {
        Aarch64SetupConfig c = (Aarch64SetupConfig) config;
        cpu.setPstate(Aarch64State.PSTATE_EL1H_MASKED);
        cpu.setSystemRegister(SystemRegister.SCTLR_EL1, SCTLR_RESET);
        cpu.setupTraps(c.trappedSystemRegisters(), c.passthroughTimer());
    }

    @Override
    public void bind() {
        // The interpreter runs on whichever thread calls run(); nothing to tie.
    }

    @Override
    public void unbind() {
        // Nothing was tied by bind().
    }

    @Override
    public Set<DebugCapability> debugCapabilities() {
        return DEBUG_CAPABILITIES;
    }

    @Override
    public void setSingleStep(boolean enabled) {
        singleStep = enabled;
        cpu.setSingleStep(enabled);
        if (!enabled) {
            stepEndedByTrap = false;
        }
    }

    @Override
    public void insertBreakpoint(BreakpointKind kind, long address) {
        (kind == BreakpointKind.HARDWARE ? hardwareBreakpoints : softwareBreakpoints).add(address);
        cpu.setBreakpoint(address, true);
    }

    @Override
    public void removeBreakpoint(BreakpointKind kind, long address) {
        (kind == BreakpointKind.HARDWARE ? hardwareBreakpoints : softwareBreakpoints).remove(address);
        cpu.setBreakpoint(address, softwareBreakpoints.contains(address) || hardwareBreakpoints.contains(address));
    }

    @Override
    public void insertWatchpoint(WatchKind kind, long address, long length) {
        cpu.setWatchpoint(address, address + length - 1, watchBits(kind), true);
    }

    @Override
    public void removeWatchpoint(WatchKind kind, long address, long length) {
        cpu.setWatchpoint(address, address + length - 1, watchBits(kind), false);
    }

    private static int watchBits(WatchKind kind) {
        return switch (kind) {
            case READ -> 1;
            case WRITE -> 2;
            case ACCESS -> 3;
        };
    }

    @Override
    public OptionalLong translateGva(long guestVirtual) {
        long pa = cpu.debugTranslate(guestVirtual);
        return pa < 0 ? OptionalLong.empty() : OptionalLong.of(pa);
    }

    @Override
    public VCpuExit run() {
        if (stepEndedByTrap) { // the stepped instruction left to the VMM, which completed it: the step is done
            stepEndedByTrap = false;
            return new VCpuExit.DebugStop(VCpuExit.DebugStop.Reason.STEP, cpu.pc, cpu.pc);
        }
        while (true) {
            VCpuExit exit = runOnce();
            if (gic != null && serveGicMmio(exit)) {
                if (singleStep) { // the stepped instruction was a GIC access, served here: the step is done
                    stepEndedByTrap = false;
                    return new VCpuExit.DebugStop(VCpuExit.DebugStop.Reason.STEP, cpu.pc, cpu.pc);
                }
                continue; // GIC frames are served here, as hardware does, not by the VMM
            }
            return exit;
        }
    }

    /** Serves an MMIO exit that hits the GIC's frames; the PC is already past the access. */
    private boolean serveGicMmio(VCpuExit exit) {
        if (exit instanceof VCpuExit.MmioRead r && gic.contains(r.address())) {
            Completion.completeMmioRead(r, gic.read(r.address(), r.width().bytes()), this);
            return true;
        }
        if (exit instanceof VCpuExit.MmioWrite w && gic.contains(w.address())) {
            gic.write(w.address(), w.width().bytes(), w.data());
            return true;
        }
        return false;
    }

    private VCpuExit runOnce() {
        int result;
        cpu.setInRun(true);
        try {
            result = cpu.run();
        } catch (RuntimeException e) {
            // A defect of the emulator (or guest memory closed under it): the contract says run() reports
            // it as an exit rather than throwing for something the guest did.
            LOG.warn("emulator failure at PC 0x{}", Long.toHexString(cpu.pc), e);
            return new VCpuExit.InternalError(0, "the emulator failed at PC 0x" + Long.toHexString(cpu.pc)
                    + ": " + e);
        } finally {
            cpu.setInRun(false);
        }
        return switch (result) {
            case Cpu.EXIT_INTERRUPTED -> new VCpuExit.Interrupted();
            case Cpu.EXIT_DEBUG -> switch (cpu.debugReason) {
                case Cpu.DEBUG_STEP -> new VCpuExit.DebugStop(VCpuExit.DebugStop.Reason.STEP, cpu.pc, cpu.pc);
                case Cpu.DEBUG_BREAKPOINT -> new VCpuExit.DebugStop(VCpuExit.DebugStop.Reason.BREAKPOINT, cpu.pc, cpu.pc);
                default -> new VCpuExit.DebugStop(cpu.watchHitWrite ? VCpuExit.DebugStop.Reason.WATCH_WRITE
                        : VCpuExit.DebugStop.Reason.WATCH_READ, cpu.pc, cpu.watchHitAddress);
            };
            case Cpu.EXIT_TRAP -> {
                TrapDecoder.Decoded decoded = TrapDecoder.decode(cpu.trapEsr, cpu.trapIpa, this);
                if (cpu.splitPieceInFlight()) {
                    // a piece of an access split between RAM and MMIO: the PC is already past it, and a
                    // store's data is the piece's bytes, not the register's low bytes
                    yield decoded.exit() instanceof VCpuExit.MmioWrite w
                            ? new VCpuExit.MmioWrite(w.address(), w.width(), cpu.splitPieceData()) : decoded.exit();
                }
                if (decoded.advancePc()) {
                    cpu.pc += decoded.instructionLength();
                    stepEndedByTrap = singleStep;
                }
                yield decoded.exit();
            }
            default -> new VCpuExit.InternalError(cpu.mode(), String.format(
                    "PSTATE.M 0x%x is not EL0t, EL1t or EL1h: the emulator runs AArch64 EL0 and EL1 only",
                    cpu.mode()));
        };
    }

    @Override
    public long x(int n) {
        return cpu.x[n];
    }

    @Override
    public void setX(int n, long value) {
        cpu.x[n] = value;
    }

    @Override
    public void setGpr(int index, long value) {
        cpu.x[index] = value;
    }

    @Override
    public long gpr(int index) {
        return cpu.x[index];
    }

    @Override
    public void injectInterrupt(int intid) {
        checkInterrupt(intid);
        if (gicCpu != null) {
            gicCpu.pend(intid);
            return;
        }
        cpu.pend(intid);
    }

    /** With the VM's GIC the injection is a pending bit in it, which wakes a vCPU in WFI: any thread will do. */
    @Override
    public boolean injectsFromAnyThread() {
        return gicCpu != null;
    }

    /**
     * GIC INTIDs 0-1019: SGIs, PPIs and SPIs; 1020-1023 are special and LPIs need an ITS. With the VM's GIC
     * the SPIs end at the configured number (GICD_TYPER.ITLinesNumber): a larger id would be dropped.
     */
    @Override
    public void checkInterrupt(int intid) {
        if (intid < 0 || intid > 1019) {
            throw new IllegalArgumentException("the emulated GIC CPU interface takes INTIDs 0-1019 (SGI, PPI, SPI), "
                    + "not " + intid + " (1020-1023 are special; LPIs need an ITS, which it does not have)");
        }
        if (gic != null && intid >= gic.interruptLimit()) {
            throw new IllegalArgumentException("INTID " + intid + " is beyond this VM's GICv3, which has INTIDs 0-"
                    + (gic.interruptLimit() - 1) + " (32 + its configured SPIs)");
        }
    }

    @Override
    public void setReturnValue(long value) {
        cpu.x[0] = value;
    }

    @Override
    public void completeMmioRead(VCpuExit.MmioRead exit, long value) {
        if (cpu.splitPieceInFlight()) {
            cpu.completeSplitRead(value);
            return;
        }
        Completion.completeMmioRead(exit, value, this);
    }

    @Override
    public void completeMmioWithExternalAbort(VCpuExit exit) {
        cpu.externalAbortOnLastAccess();
    }

    @Override
    public void completeSysRegRead(VCpuExit.SysRegRead exit, long value) {
        Completion.completeSysRegRead(exit, value, this);
    }

    @Override
    public void completeIoRead(VCpuExit.IoRead exit, long value) {
        throw new UnsupportedOperationException("AArch64 has no port I/O; an IoRead exit never comes from this backend");
    }

    @Override
    public void requestExit() {
        cpu.requestExit();
    }

    @Override
    public RegisterState saveState() {
        Aarch64State.Builder b = Aarch64State.builder();
        for (int i = 0; i < 31; i++) {
            b.x(i, cpu.x[i]);
        }
        b.spEl0(cpu.spEl0()).spEl1(cpu.spEl1()).pc(cpu.pc).pstate(cpu.pstate())
                .elrEl1(cpu.elrEl1()).spsrEl1(cpu.spsrEl1()).fpcr(cpu.fpcr()).fpsr(cpu.fpsr());
        for (int i = 0; i < 32; i++) {
            b.v(i, new Vec128(cpu.v[2 * i], cpu.v[2 * i + 1]));
        }
        for (SystemRegister r : SystemRegister.values()) {
            b.sys(r, cpu.systemRegister(r));
        }
        if (gicCpu != null) {
            b.gicRedistributor(gicCpu.saveRedistributor()).gicCpuInterface(gicCpu.saveCpuInterface());
        }
        return b.build();
    }

    @Override
    public void restoreState(RegisterState state) {
        restore((Aarch64State) state);
    }

    private void restore(Aarch64State s) {
        for (int i = 0; i < 31; i++) {
            cpu.x[i] = s.x(i);
        }
        cpu.setPstate(s.pstate());
        cpu.setSpEl0(s.spEl0());
        cpu.setSpEl1(s.spEl1());
        cpu.pc = s.pc();
        cpu.setElrEl1(s.elrEl1());
        cpu.setSpsrEl1(s.spsrEl1());
        for (int i = 0; i < 32; i++) {
            Vec128 v = s.v(i);
            cpu.v[2 * i] = v.low();
            cpu.v[2 * i + 1] = v.high();
        }
        cpu.setFpcr(s.fpcr());
        cpu.setFpsr(s.fpsr());
        for (SystemRegister r : SystemRegister.values()) {
            cpu.setSystemRegister(r, s.sys(r));
        }
        if (gicCpu != null) {
            gicCpu.restore(s.gicRedistributor(), s.gicCpuInterface());
        }
        cpu.cancelPendingAbort();
        cpu.flushTlb();
    }

    @Override
    public OptionalLong retiredInstructions() {
        return OptionalLong.of(cpu.retired());
    }

    @Override
    public void setInstructionLimit(long limit) {
        cpu.setInstructionLimit(limit);
    }

    @Override
    public void close() {
        if (gicCpu != null) {
            gic.removeCpu(gicCpu);
        }
        cpu.flushTlb();
        vm.forget(this);
    }

    /** Waits until this vCPU no longer uses a map older than {@code generation} (see {@link EmulatedVm#unmap}). */
    void awaitMapGeneration(long generation) {
        cpu.awaitMapGeneration(generation);
    }
}
