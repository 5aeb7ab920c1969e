package org.vcpu4j.spi;

import java.util.OptionalLong;
import java.util.Set;
import org.vcpu4j.api.BreakpointKind;
import org.vcpu4j.api.DebugCapability;
import org.vcpu4j.api.WatchKind;
import org.vcpu4j.api.RegisterState;
import org.vcpu4j.api.VCpuExit;
import org.vcpu4j.api.VCpuSetupConfig;

/**
 * What a backend implements for one vCPU: the mirror of axvcpu's {@code AxArchVCpu}. The library's
 * wrapper calls these methods only in the states and on the threads {@link org.vcpu4j.api.VCpu}
 * documents, with register indices already checked (AArch64 0-30: XZR is handled by the library;
 * x86-64 0-15) and with completions matched to the exit they complete.
 *
 * <p>Every exit must follow the PC contract of {@link VCpuExit}.
 */
public interface ArchVCpu extends AutoCloseable {

    /**
     * Sets the guest address where the first {@link #run()} starts.
     *
     * @param guestAddress the entry point (axvcpu {@code set_entry})
     */
    void setEntry(long guestAddress);

    /**
     * Applies the setup configuration (axvcpu {@code setup}) before the first run.
     *
     * @param config the setup configuration, of the backend's ISA
     */
    void setup(VCpuSetupConfig config);

    /** Binds to the calling platform thread. */
    void bind();

    /** Unbinds from the calling thread (the one that bound). */
    void unbind();

    /**
     * Runs the guest until an exit.
     *
     * @return the exit; never null
     */
    VCpuExit run();

    /**
     * Writes a general-purpose register.
     *
     * @param index a checked register index (AArch64 0-30, x86-64 0-15)
     * @param value the value
     */
    void setGpr(int index, long value);

    /**
     * Reads a general-purpose register.
     *
     * @param index a checked register index (AArch64 0-30, x86-64 0-15)
     * @return the value
     */
    long gpr(int index);

    /**
     * Makes an interrupt pending (queued if the guest cannot take it now). Called on the bound thread,
     * or before bind, or by the library at the start of {@link #run()} for interrupts that other threads
     * injected.
     *
     * @param intid the interrupt id
     */
    void injectInterrupt(int intid);

    /**
     * {@return whether {@link #injectInterrupt} may be called on any thread, also while {@link #run()} runs
     * on the bound one} True for a backend whose VM has an interrupt controller that takes the interrupt and
     * wakes the vCPU itself (KVM's in-kernel LAPIC, a GIC model); the library then calls it at once instead
     * of queueing the id for the next run (which a vCPU sleeping in WFI/HLT would never reach). The default
     * is false.
     */
    default boolean injectsFromAnyThread() {
        return false;
    }

    /**
     * Checks that this backend can inject an interrupt id, before the library queues an injection from
     * another thread (which reaches {@link #injectInterrupt} only at the next {@link #run()}, too late for
     * a clear error). Called on any thread, so it must depend only on what cannot change; the default
     * accepts every id.
     *
     * @param intid the interrupt id, not negative
     * @throws IllegalArgumentException naming the ids this backend accepts
     */
    default void checkInterrupt(int intid) {}

    /**
     * Sets the value a hypercall returns to the guest, before the next {@link #run()}.
     *
     * @param value the hypercall return value (x0 / RAX)
     */
    void setReturnValue(long value);

    /**
     * Completes an MMIO read (see {@link org.vcpu4j.spi.aarch64.Completion} for the arithmetic).
     *
     * @param exit the exit being completed
     * @param value the device's value
     */
    void completeMmioRead(VCpuExit.MmioRead exit, long value);

    /**
     * Answers an MMIO exit with a synchronous external abort taken by the guest at its next entry.
     *
     * @param exit the MmioRead or MmioWrite exit being answered
     */
    void completeMmioWithExternalAbort(VCpuExit exit);

    /**
     * Completes a system-register read.
     *
     * @param exit the exit being completed
     * @param value the register's value
     */
    void completeSysRegRead(VCpuExit.SysRegRead exit, long value);

    /**
     * Completes a port read.
     *
     * @param exit the exit being completed
     * @param value the port's value
     */
    void completeIoRead(VCpuExit.IoRead exit, long value);

    /**
     * Makes a running {@link #run()} return {@link VCpuExit.Interrupted} promptly; if not running, the
     * next {@code run()} returns it at once. Called from any thread.
     */
    void requestExit();

    /** {@return the whole architectural state} */
    RegisterState saveState();

    /**
     * Replaces the whole architectural state.
     *
     * @param state a state of the backend's ISA
     */
    void restoreState(RegisterState state);

    /** {@return the retired-instruction count, when the backend counts instructions} */
    default OptionalLong retiredInstructions() {
        return OptionalLong.empty();
    }

    /**
     * Makes {@code run()} stop after a number of retired instructions.
     *
     * @param limit the retired-instruction count at which {@code run()} returns {@code Interrupted}
     * @throws UnsupportedOperationException if the backend does not count instructions
     */
    default void setInstructionLimit(long limit) {
        throw new UnsupportedOperationException("this backend does not count guest instructions");
    }

    /**
     * {@return the debug operations this backend implements} The library calls the debug methods below
     * only for capabilities in this set, with arguments checked, in the states and on the thread of
     * {@link org.vcpu4j.api.VCpu#setGpr}. The default offers none.
     */
    default Set<DebugCapability> debugCapabilities() {
        return Set.of();
    }

    /**
     * Turns single-stepping on or off (called only when {@link #debugCapabilities} offers it).
     *
     * @param enabled whether each {@link #run()} runs one instruction and returns a STEP debug stop
     */
    default void setSingleStep(boolean enabled) {
        throw new UnsupportedOperationException(DebugCapability.SINGLE_STEP.name());
    }

    /**
     * Inserts a breakpoint.
     *
     * @param kind the breakpoint kind (its capability is offered)
     * @param address the guest-virtual address
     */
    default void insertBreakpoint(BreakpointKind kind, long address) {
        throw new UnsupportedOperationException(kind.name());
    }

    /**
     * Removes a breakpoint.
     *
     * @param kind the breakpoint kind (its capability is offered)
     * @param address the guest-virtual address
     */
    default void removeBreakpoint(BreakpointKind kind, long address) {
        throw new UnsupportedOperationException(kind.name());
    }

    /**
     * Inserts a watchpoint.
     *
     * @param kind the accesses to stop on
     * @param address the first byte
     * @param length the number of bytes, positive (checked)
     */
    default void insertWatchpoint(WatchKind kind, long address, long length) {
        throw new UnsupportedOperationException(DebugCapability.WATCHPOINTS.name());
    }

    /**
     * Removes a watchpoint.
     *
     * @param kind the accesses it stops on
     * @param address the first byte
     * @param length the number of bytes, positive (checked)
     */
    default void removeWatchpoint(WatchKind kind, long address, long length) {
        throw new UnsupportedOperationException(DebugCapability.WATCHPOINTS.name());
    }

    /**
     * Translates a guest-virtual address through the guest's own translation, without faulting.
     *
     * @param guestVirtual the address
     * @return the guest-physical address, or empty when nothing is mapped there
     */
    default OptionalLong translateGva(long guestVirtual) {
        throw new UnsupportedOperationException(DebugCapability.TRANSLATE_GVA.name());
    }

    /** Releases the vCPU's resources. */
    @Override
    void close();
}
