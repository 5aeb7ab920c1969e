package org.vcpu4j.spi.internal;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.vcpu4j.api.BreakpointKind;
import org.vcpu4j.api.DebugCapability;
import org.vcpu4j.api.GuestIsa;
import org.vcpu4j.api.GuestMemory;
import org.vcpu4j.api.IllegalVCpuStateException;
import org.vcpu4j.api.RegisterState;
import org.vcpu4j.api.VCpu;
import org.vcpu4j.api.VCpuExit;
import org.vcpu4j.api.VCpuSetupConfig;
import org.vcpu4j.api.VCpuState;
import org.vcpu4j.api.WatchKind;
import org.vcpu4j.spi.ArchVCpu;

/**
 * The library's {@link VCpu}: the lifecycle state machine, thread rules, register-index checks and
 * pending completions, enforced once around every backend's {@link ArchVCpu} (axvcpu's {@code AxVCpu}).
 */
public final class ManagedVCpu implements VCpu {
    private static final Set<VCpuState> CONFIGURABLE = EnumSet.of(VCpuState.CREATED, VCpuState.FREE, VCpuState.READY);
    private static final Set<VCpuState> SET_UP = EnumSet.of(VCpuState.FREE, VCpuState.READY);

    private final int id;
    private final GuestIsa isa;
    private final ArchVCpu arch;
    private final ManagedVirtualMachine vm;
    private final Set<DebugCapability> debugCapabilities;
    private final ConcurrentLinkedQueue<Integer> foreignInterrupts = new ConcurrentLinkedQueue<>();

    private volatile VCpuState state = VCpuState.CREATED;
    private Thread boundThread;
    private VCpuExit pendingCompletion;
    private VCpuExit lastExit;

    ManagedVCpu(int id, GuestIsa isa, ArchVCpu arch, ManagedVirtualMachine vm) {
        this.id = id;
        this.isa = isa;
        this.arch = arch;
        this.vm = vm;
        Set<DebugCapability> offered = arch.debugCapabilities();
        this.debugCapabilities = offered.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(offered));
    }

    @Override
    public int id() {
        return id;
    }

    @Override
    public GuestIsa isa() {
        return isa;
    }

    @Override
    public VCpuState state() {
        return state;
    }

    @Override
    public synchronized void setEntry(long guestAddress) {
        check("setEntry", CONFIGURABLE);
        checkNoPendingLoad("setEntry");
        arch.setEntry(guestAddress);
    }

    @Override
    public synchronized void setEptRoot(GuestMemory root) {
        check("setEptRoot", EnumSet.of(VCpuState.CREATED));
        if (root != vm.memory()) {
            throw new IllegalArgumentException("vCPU " + id + ": the stage-2 root must be the owning VM's current "
                    + "memory map (vm.memory()); vcpu4j keeps one stage-2 map per VM");
        }
    }

    @Override
    public synchronized void setup(VCpuSetupConfig config) {
        Objects.requireNonNull(config, "config");
        check("setup", EnumSet.of(VCpuState.CREATED));
        if (config.isa() != isa) {
            throw new IllegalArgumentException("vCPU " + id + " runs " + isa.displayName()
                    + " guests; a " + config.isa().displayName() + " setup config does not apply");
        }
        transition(() -> arch.setup(config), VCpuState.FREE);
    }

    @Override
    public synchronized void bind() {
        check("bind", EnumSet.of(VCpuState.FREE));
        Thread t = Thread.currentThread();
        if (t.isVirtual()) {
            throw new IllegalVCpuStateException("vCPU " + id + ": bind() needs a platform thread; " + t
                    + " is virtual (a virtual thread may change carrier, and backends tie the vCPU to one OS thread)",
                    state);
        }
        transition(arch::bind, VCpuState.READY);
        boundThread = t;
    }

    @Override
    public synchronized void unbind() {
        check("unbind", EnumSet.of(VCpuState.READY));
        transition(arch::unbind, VCpuState.FREE);
        boundThread = null;
    }

    @Override
    public VCpuExit run() {
        synchronized (this) {
            check("run", EnumSet.of(VCpuState.READY));
            if (pendingCompletion != null) {
                throw new IllegalVCpuStateException("vCPU " + id + ": the " + describe(pendingCompletion)
                        + " exit is not completed; call " + completionHint(pendingCompletion) + " before run()",
                        state);
            }
            vm.enterRun(id); // atomic with vm.close(): refuses if the VM is closed or its memory freed
            state = VCpuState.RUNNING;
        }
        try {
            VCpuExit exit;
            try {
                for (Integer intid; (intid = foreignInterrupts.poll()) != null; ) {
                    arch.injectInterrupt(intid);
                }
                exit = Objects.requireNonNull(arch.run(), "backend returned a null exit");
            } catch (RuntimeException | Error e) {
                state = VCpuState.INVALID;
                throw e;
            }
            synchronized (this) {
                lastExit = exit;
                pendingCompletion = needsCompletion(exit) ? exit : null;
                state = VCpuState.READY;
            }
            return exit;
        } finally {
            vm.exitRun();
        }
    }

    @Override
    public synchronized void setGpr(int index, long value) {
        check("setGpr", CONFIGURABLE);
        boolean writable = checkGpr(index);
        checkNoPendingLoad("setGpr");
        if (writable) {
            arch.setGpr(index, value);
        }
    }

    @Override
    public synchronized long gpr(int index) {
        check("gpr", CONFIGURABLE);
        return checkGpr(index) ? arch.gpr(index) : 0;
    }

    @Override
    public void injectInterrupt(int intid) {
        if (intid < 0) {
            throw new IllegalArgumentException("vCPU " + id + ": interrupt id must not be negative: " + intid);
        }
        VCpuState s = state;
        if (s == VCpuState.INVALID || s == VCpuState.CLOSED) {
            throw new IllegalVCpuStateException(id, "injectInterrupt", s,
                    EnumSet.of(VCpuState.CREATED, VCpuState.FREE, VCpuState.READY, VCpuState.RUNNING));
        }
        arch.checkInterrupt(intid); // here, on the caller's thread: a queued id must not fail inside run()
        synchronized (this) {
            if ((state == VCpuState.READY && boundThread == Thread.currentThread())
                    || state == VCpuState.CREATED || state == VCpuState.FREE || arch.injectsFromAnyThread()) {
                arch.injectInterrupt(intid);
                return;
            }
        }
        foreignInterrupts.add(intid);
    }

    @Override
    public synchronized void setReturnValue(long value) {
        check("setReturnValue", CONFIGURABLE);
        checkNoPendingLoad("setReturnValue");
        arch.setReturnValue(value);
    }

    @Override
    public synchronized void completeMmioRead(long value) {
        check("completeMmioRead", SET_UP);
        if (!(pendingCompletion instanceof VCpuExit.MmioRead read)) {
            throw noPending("completeMmioRead", "an MmioRead");
        }
        arch.completeMmioRead(read, value);
        pendingCompletion = null;
    }

    @Override
    public synchronized void completeMmioWithExternalAbort() {
        check("completeMmioWithExternalAbort", SET_UP);
        boolean pendingRead = pendingCompletion instanceof VCpuExit.MmioRead;
        boolean lastWrite = pendingCompletion == null && lastExit instanceof VCpuExit.MmioWrite;
        if (!pendingRead && !lastWrite) {
            throw noPending("completeMmioWithExternalAbort", "an MmioRead or MmioWrite");
        }
        if (isa != GuestIsa.AARCH64) {
            throw new UnsupportedOperationException("vCPU " + id + ": " + isa.displayName()
                    + " has no synchronous external abort; complete the read with completeMmioRead instead");
        }
        arch.completeMmioWithExternalAbort(pendingRead ? pendingCompletion : lastExit);
        pendingCompletion = null;
        lastExit = null;
    }

    @Override
    public synchronized void completeSysRegRead(long value) {
        check("completeSysRegRead", SET_UP);
        if (!(pendingCompletion instanceof VCpuExit.SysRegRead read)) {
            throw noPending("completeSysRegRead", "a SysRegRead");
        }
        arch.completeSysRegRead(read, value);
        pendingCompletion = null;
    }

    @Override
    public synchronized void completeIoRead(long value) {
        check("completeIoRead", SET_UP);
        if (!(pendingCompletion instanceof VCpuExit.IoRead read)) {
            throw noPending("completeIoRead", "an IoRead");
        }
        arch.completeIoRead(read, value);
        pendingCompletion = null;
    }

    @Override
    public void requestExit() {
        VCpuState s = state;
        if (s != VCpuState.CLOSED && s != VCpuState.INVALID) {
            arch.requestExit();
        }
    }

    @Override
    public synchronized RegisterState saveState() {
        check("saveState", CONFIGURABLE);
        return arch.saveState();
    }

    @Override
    public synchronized void restoreState(RegisterState newState) {
        Objects.requireNonNull(newState, "state");
        check("restoreState", CONFIGURABLE);
        if (newState.isa() != isa) {
            throw new IllegalArgumentException("vCPU " + id + " runs " + isa.displayName() + " guests; cannot restore a "
                    + newState.isa().displayName() + " state");
        }
        arch.restoreState(newState);
        pendingCompletion = null;
        lastExit = null;
    }

    @Override
    public OptionalLong retiredInstructions() {
        return arch.retiredInstructions();
    }

    @Override
    public synchronized void setInstructionLimit(long limit) {
        check("setInstructionLimit", CONFIGURABLE);
        if (limit < 0) {
            throw new IllegalArgumentException("instruction limit must not be negative: " + limit);
        }
        arch.setInstructionLimit(limit);
    }

    @Override
    public Set<DebugCapability> debugCapabilities() {
        return debugCapabilities;
    }

    @Override
    public synchronized void setSingleStep(boolean enabled) {
        checkDebug("setSingleStep", DebugCapability.SINGLE_STEP);
        arch.setSingleStep(enabled);
    }

    @Override
    public synchronized void insertBreakpoint(BreakpointKind kind, long address) {
        Objects.requireNonNull(kind, "kind");
        checkDebug("insertBreakpoint", capabilityOf(kind));
        arch.insertBreakpoint(kind, address);
    }

    @Override
    public synchronized void removeBreakpoint(BreakpointKind kind, long address) {
        Objects.requireNonNull(kind, "kind");
        checkDebug("removeBreakpoint", capabilityOf(kind));
        arch.removeBreakpoint(kind, address);
    }

    @Override
    public synchronized void insertWatchpoint(WatchKind kind, long address, long length) {
        Objects.requireNonNull(kind, "kind");
        checkDebug("insertWatchpoint", DebugCapability.WATCHPOINTS);
        checkWatchLength(address, length);
        arch.insertWatchpoint(kind, address, length);
    }

    @Override
    public synchronized void removeWatchpoint(WatchKind kind, long address, long length) {
        Objects.requireNonNull(kind, "kind");
        checkDebug("removeWatchpoint", DebugCapability.WATCHPOINTS);
        checkWatchLength(address, length);
        arch.removeWatchpoint(kind, address, length);
    }

    @Override
    public synchronized OptionalLong translateGva(long guestVirtual) {
        checkDebug("translateGva", DebugCapability.TRANSLATE_GVA);
        return Objects.requireNonNull(arch.translateGva(guestVirtual), "backend returned a null translation");
    }

    private void checkDebug(String operation, DebugCapability capability) {
        if (!debugCapabilities.contains(capability)) {
            throw new UnsupportedOperationException("vCPU " + id + ": " + operation + "() needs " + capability
                    + ", which this backend does not offer (it offers " + debugCapabilities + ")");
        }
        check(operation, CONFIGURABLE);
    }

    private void checkWatchLength(long address, long length) {
        if (length <= 0 || Long.compareUnsigned(address + length - 1, address) < 0) {
            throw new IllegalArgumentException("vCPU " + id + ": a watchpoint needs a positive length that does not "
                    + "wrap the address space, not " + length + " bytes at 0x" + Long.toHexString(address));
        }
    }

    private static DebugCapability capabilityOf(BreakpointKind kind) {
        return kind == BreakpointKind.HARDWARE ? DebugCapability.HARDWARE_BREAKPOINTS
                : DebugCapability.SOFTWARE_BREAKPOINTS;
    }

    @Override
    public void close() {
        close(true);
    }

    /** Closes on behalf of the VM's close(), which may come from any thread. */
    void closeByVm() {
        close(false);
    }

    private void close(boolean checkThread) {
        synchronized (this) {
            if (state == VCpuState.CLOSED) {
                return;
            }
            if (checkThread && state == VCpuState.READY && boundThread != Thread.currentThread()) {
                throw new IllegalVCpuStateException("vCPU " + id + ": close() must be called on the thread that "
                        + "bound it (" + boundThread + "), not on " + Thread.currentThread()
                        + "; or call unbind() there first", state);
            }
            if (state == VCpuState.RUNNING) {
                throw new IllegalVCpuStateException("vCPU " + id + " is RUNNING: call requestExit() and let run() "
                        + "return before close()", state);
            }
            state = VCpuState.CLOSED;
            boundThread = null;
        }
        try {
            arch.close();
        } finally {
            vm.forget(this);
        }
    }

    /** {@return whether {@link #run()} is in progress} */
    boolean isRunning() {
        return state == VCpuState.RUNNING;
    }

    private void check(String operation, Set<VCpuState> allowed) {
        VCpuState s = state;
        if (!allowed.contains(s)) {
            throw new IllegalVCpuStateException(id, operation, s, allowed);
        }
        if (s == VCpuState.READY && boundThread != Thread.currentThread()) {
            throw new IllegalVCpuStateException("vCPU " + id + ": " + operation + "() must be called on the thread "
                    + "that bound it (" + boundThread + "), not on " + Thread.currentThread(), s);
        }
    }

    /**
     * Refuses a register write while a load's completion is pending, on every backend alike: the load writes
     * its destination register when it is completed, and hardware backends (KVM) write it from a copy taken
     * at the exit, so a write made in between would be lost on one backend and kept on another.
     */
    private void checkNoPendingLoad(String operation) {
        if (pendingCompletion != null) {
            throw new IllegalVCpuStateException("vCPU " + id + ": " + operation + "() while the "
                    + describe(pendingCompletion) + " exit awaits its value; call " + completionHint(pendingCompletion)
                    + " first (or restoreState(), which drops the load)", state);
        }
    }

    private void transition(Runnable action, VCpuState to) {
        try {
            action.run();
        } catch (RuntimeException | Error e) {
            state = VCpuState.INVALID;
            throw e;
        }
        state = to;
    }

    private boolean checkGpr(int index) {
        int count = isa.gprCount();
        if (index < 0 || index >= count) {
            throw new IllegalArgumentException("vCPU " + id + ": register index " + index + " is out of range for "
                    + isa.displayName() + (isa == GuestIsa.AARCH64 ? ": use 0..31 (31 = XZR)" : ": use 0..15 (rax..r15)"));
        }
        return !(isa == GuestIsa.AARCH64 && index == 31);
    }

    private IllegalVCpuStateException noPending(String operation, String what) {
        String last = lastExit == null ? "no exit" : describe(lastExit)
                + (pendingCompletion == null && needsCompletion(lastExit) ? " (already completed)" : "");
        return new IllegalVCpuStateException("vCPU " + id + ": " + operation + "() completes " + what
                + " exit, but the last exit was " + last, state);
    }

    private static boolean needsCompletion(VCpuExit exit) {
        return exit instanceof VCpuExit.MmioRead || exit instanceof VCpuExit.SysRegRead
                || exit instanceof VCpuExit.IoRead;
    }

    private static String describe(VCpuExit exit) {
        return switch (exit) {
            case VCpuExit.MmioRead r -> String.format("MmioRead at 0x%x", r.address());
            case VCpuExit.MmioWrite w -> String.format("MmioWrite at 0x%x", w.address());
            case VCpuExit.SysRegRead r -> String.format("SysRegRead of 0x%x", r.address());
            case VCpuExit.IoRead r -> String.format("IoRead of port 0x%x", r.port());
            default -> exit.kind();
        };
    }

    private static String completionHint(VCpuExit exit) {
        return switch (exit) {
            case VCpuExit.MmioRead r -> "completeMmioRead(value) or completeMmioWithExternalAbort()";
            case VCpuExit.SysRegRead r -> "completeSysRegRead(value)";
            case VCpuExit.IoRead r -> "completeIoRead(value)";
            default -> "nothing";
        };
    }

    @Override
    public String toString() {
        return "VCpu[" + id + ", " + isa.displayName() + ", " + state + "]";
    }
}
