package org.vcpu4j.api;

import java.util.OptionalLong;

/**
 * A virtual CPU: the Java mirror of axvcpu's {@code AxVCpu} wrapping an {@code AxArchVCpu}.
 *
 * <h2>Lifecycle</h2>
 * The library enforces {@link VCpuState}'s state machine for every backend: {@link #setup} takes
 * {@code CREATED} to {@code FREE}, {@link #bind} {@code FREE} to {@code READY}, {@link #unbind} back,
 * and {@link #run} goes {@code READY -> RUNNING -> READY}. A call in the wrong state throws {@link
 * IllegalVCpuStateException} naming the current and the expected states.
 *
 * <h2>Threads</h2>
 * {@link #bind} ties the vCPU to the calling platform thread (virtual threads are refused); from then
 * until {@link #unbind}, every operation except {@link #requestExit}, {@link #injectInterrupt}, {@link
 * #state} and {@link #id} must come from that thread (Hypervisor.framework requires it, KVM runs
 * faster with it). Before {@code bind}, any one thread at a time may configure the vCPU.
 *
 * <h2>Exits and completion</h2>
 * {@link #run} returns a {@link VCpuExit}. An {@link VCpuExit.MmioRead} must be completed with {@link
 * #completeMmioRead} or {@link #completeMmioWithExternalAbort}, a {@link VCpuExit.SysRegRead} with
 * {@link #completeSysRegRead}, an {@link VCpuExit.IoRead} with {@link #completeIoRead}, before the
 * next {@code run}: the architecture defines the register's final value (width mask, sign or zero
 * extension, W-register upper half cleared, XZR ignored) and the backend applies it. Until the
 * completion, the register writes {@link #setGpr}, {@link #setEntry} and {@link #setReturnValue} throw
 * {@link IllegalVCpuStateException} on every backend (the load writes its register when it is completed);
 * reads ({@link #gpr}, {@link #saveState}) are allowed and {@link #restoreState} drops the load.
 *
 * <h2>Registers</h2>
 * {@link #gpr}/{@link #setGpr} take AArch64 indices 0-31 (31 is XZR: reads 0, writes ignored) or
 * x86-64 indices 0-15 in instruction-encoding order (RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI,
 * R8-R15). {@link #saveState}/{@link #restoreState} move the whole architectural state as a value.
 */
public interface VCpu extends AutoCloseable {

    /** {@return this vCPU's id within its VM} */
    int id();

    /** {@return the ISA of the guest this vCPU runs} */
    GuestIsa isa();

    /** {@return the lifecycle state; callable from any thread} */
    VCpuState state();

    /**
     * Sets the guest-physical address the guest starts at (axvcpu {@code set_entry}). Allowed in
     * {@code CREATED}, {@code FREE} and {@code READY}; a VMM uses it again for PSCI CPU_ON.
     *
     * @param guestAddress the entry point
     * @throws IllegalVCpuStateException if a load exit awaits its completion (see the class documentation)
     */
    void setEntry(long guestAddress);

    /**
     * Sets the stage-2 (EPT) root (axvcpu {@code set_ept_root}). In vcpu4j the stage-2 translation of
     * every vCPU is its VM's {@link GuestMemory} map, kept current by {@link VirtualMachine#map}; this
     * call checks that {@code root} is that VM's current map and exists so that code written against
     * axvcpu has a place for the call. Allowed in {@code CREATED} only.
     *
     * @param root the VM's current memory map
     * @throws IllegalArgumentException if {@code root} is not the owning VM's current map
     */
    void setEptRoot(GuestMemory root);

    /**
     * Performs the architecture setup before the vCPU can run: {@code CREATED -> FREE}.
     *
     * @param config the ISA's setup configuration
     */
    void setup(VCpuSetupConfig config);

    /** Binds the vCPU to the calling platform thread: {@code FREE -> READY}. */
    void bind();

    /** Unbinds the vCPU from its thread: {@code READY -> FREE}. Must be called on the bound thread. */
    void unbind();

    /**
     * Runs the guest until an exit that needs the VMM: {@code READY -> RUNNING -> READY}. Must be
     * called on the bound thread. A guest never makes this throw; it throws only for host-side misuse
     * ({@link IllegalVCpuStateException}) or a host failure ({@link BackendException}, which leaves the
     * vCPU {@code INVALID}).
     *
     * @return why the guest stopped
     */
    VCpuExit run();

    /**
     * Writes a general-purpose register (axvcpu {@code set_gpr}).
     *
     * @param index the register index (see the class documentation)
     * @param value the value
     * @throws IllegalArgumentException if the index is out of range for the ISA
     * @throws IllegalVCpuStateException if a load exit awaits its completion (see the class documentation)
     */
    void setGpr(int index, long value);

    /**
     * Reads a general-purpose register.
     *
     * @param index the register index (see the class documentation)
     * @return the value (0 for AArch64 XZR)
     * @throws IllegalArgumentException if the index is out of range for the ISA
     */
    long gpr(int index);

    /**
     * Makes an interrupt pending for the guest (axvcpu {@code inject_interrupt}); never truncated. It is
     * taken when the guest unmasks interrupts. Callable from any thread and in any state but {@code
     * INVALID} and {@code CLOSED}; from a thread other than the bound one it is queued and handed to the
     * backend at the next {@link #run} (pair it with {@link #requestExit} to make a running guest see it
     * promptly).
     *
     * @param intid the interrupt id (AArch64 GIC INTID; x86 vector 0-255)
     */
    void injectInterrupt(int intid);

    /**
     * Sets the value returned to the guest by a hypercall (axvcpu {@code set_return_value}): x0 on
     * AArch64, RAX on x86-64.
     *
     * @param value the value
     * @throws IllegalVCpuStateException if a load exit awaits its completion (see the class documentation)
     */
    void setReturnValue(long value);

    /**
     * Completes the pending {@link VCpuExit.MmioRead}: the value is truncated to the access width,
     * sign- or zero-extended as the exit says, and written to its register (W registers get their upper
     * half cleared; XZR is left alone).
     *
     * @param value the value the device returned
     * @throws IllegalVCpuStateException if the last exit was not an uncompleted MMIO read
     */
    void completeMmioRead(long value);

    /**
     * Answers the pending MMIO exit (read or write) with a synchronous external abort taken by the
     * guest, as a board does for an address with nothing behind it. The guest's own exception handler
     * sees the abort on the next {@link #run}.
     *
     * @throws IllegalVCpuStateException if the last exit was not an uncompleted MMIO exit
     * @throws UnsupportedOperationException if the backend's ISA has no such abort (x86-64)
     */
    void completeMmioWithExternalAbort();

    /**
     * Completes the pending {@link VCpuExit.SysRegRead}: writes the value to its register (XZR ignored).
     *
     * @param value the register's value
     * @throws IllegalVCpuStateException if the last exit was not an uncompleted system-register read
     */
    void completeSysRegRead(long value);

    /**
     * Completes the pending {@link VCpuExit.IoRead}: the value, truncated to the access width, lands in
     * AL, AX or EAX (an EAX write clears the upper half of RAX, as the architecture does).
     *
     * @param value the value the port returned
     * @throws IllegalVCpuStateException if the last exit was not an uncompleted port read
     */
    void completeIoRead(long value);

    /**
     * Asks a running {@link #run} to return {@link VCpuExit.Interrupted} promptly; callable from any
     * thread at any time. If the vCPU is not running, the next {@code run} returns at once: a request
     * is never lost between two runs.
     */
    void requestExit();

    /** {@return the whole architectural state} */
    RegisterState saveState();

    /**
     * Replaces the whole architectural state.
     *
     * @param state a state of this vCPU's ISA
     * @throws IllegalArgumentException if the state is for another ISA
     */
    void restoreState(RegisterState state);

    /**
     * {@return the number of guest instructions retired so far, when the backend counts them (the
     * emulated backend does; hardware backends do not)}
     */
    default OptionalLong retiredInstructions() {
        return OptionalLong.empty();
    }

    /**
     * Makes {@link #run} return {@link VCpuExit.Interrupted} once {@link #retiredInstructions()} reaches
     * {@code limit}.
     *
     * @param limit the retired-instruction count to stop at, or {@code Long.MAX_VALUE} for none
     * @throws UnsupportedOperationException if the backend does not count instructions
     */
    void setInstructionLimit(long limit);

    /**
     * {@return what this vCPU offers a debugger} A backend without a capability leaves it out, and the
     * operation that needs it throws {@link UnsupportedOperationException} naming it. Callable from any
     * thread; it never changes for a vCPU.
     */
    default java.util.Set<DebugCapability> debugCapabilities() {
        return java.util.Set.of();
    }

    /**
     * Turns single-stepping on or off: while on, each {@link #run} runs at most one guest instruction and
     * returns {@link VCpuExit.DebugStop} with reason {@code STEP} (or an earlier exit the instruction
     * caused). Same states and thread as {@link #setGpr}.
     *
     * @param enabled whether to step
     * @throws UnsupportedOperationException without {@link DebugCapability#SINGLE_STEP}
     */
    default void setSingleStep(boolean enabled) {
        throw DebugSupport.unsupported(DebugCapability.SINGLE_STEP);
    }

    /**
     * Inserts a breakpoint at a guest-virtual address: {@link #run} returns {@link VCpuExit.DebugStop}
     * with reason {@code BREAKPOINT} before the instruction there runs. A {@code run} that starts at a
     * breakpoint runs that instruction (so a debugger can continue from it). Inserting one twice is one
     * breakpoint. Same states and thread as {@link #setGpr}.
     *
     * @param kind software ({@code Z0}) or hardware ({@code Z1})
     * @param address the guest-virtual address of the instruction
     * @throws UnsupportedOperationException without the kind's capability
     * @throws IllegalArgumentException if the backend has no free hardware breakpoint
     */
    default void insertBreakpoint(BreakpointKind kind, long address) {
        throw DebugSupport.unsupported(DebugSupport.capabilityOf(kind));
    }

    /**
     * Removes a breakpoint; removing one that is not there does nothing.
     *
     * @param kind the kind it was inserted with
     * @param address its address
     * @throws UnsupportedOperationException without the kind's capability
     */
    default void removeBreakpoint(BreakpointKind kind, long address) {
        throw DebugSupport.unsupported(DebugSupport.capabilityOf(kind));
    }

    /**
     * Inserts a watchpoint on {@code length} bytes at a guest-virtual address: an access of that kind to
     * any of them makes {@link #run} return {@link VCpuExit.DebugStop} with reason {@code WATCH_WRITE} or
     * {@code WATCH_READ}.
     *
     * @param kind the accesses to stop on
     * @param address the first watched byte
     * @param length the number of bytes, 1 or more
     * @throws UnsupportedOperationException without {@link DebugCapability#WATCHPOINTS}
     * @throws IllegalArgumentException if the length is not positive, or the backend has no free one
     */
    default void insertWatchpoint(WatchKind kind, long address, long length) {
        throw DebugSupport.unsupported(DebugCapability.WATCHPOINTS);
    }

    /**
     * Removes a watchpoint; removing one that is not there does nothing.
     *
     * @param kind the kind it was inserted with
     * @param address its address
     * @param length its length
     * @throws UnsupportedOperationException without {@link DebugCapability#WATCHPOINTS}
     */
    default void removeWatchpoint(WatchKind kind, long address, long length) {
        throw DebugSupport.unsupported(DebugCapability.WATCHPOINTS);
    }

    /**
     * Translates a guest-virtual address through the guest's own translation as this vCPU sees it now
     * (cloud-hypervisor's {@code translate_gva}): the stage-1 tables with the MMU on, the identity with it
     * off. It faults nothing and changes no guest state. Same states and thread as {@link #gpr}.
     *
     * @param guestVirtual the address
     * @return the guest-physical address, or empty if the guest has nothing mapped there
     * @throws UnsupportedOperationException without {@link DebugCapability#TRANSLATE_GVA}
     */
    default java.util.OptionalLong translateGva(long guestVirtual) {
        throw DebugSupport.unsupported(DebugCapability.TRANSLATE_GVA);
    }

    /**
     * Releases every resource of this vCPU. Allowed in every state but {@code RUNNING}; idempotent. While
     * the vCPU is bound ({@code READY}), only the bound thread may close it (as every other operation).
     *
     * @throws IllegalVCpuStateException if the vCPU is running, or bound to another thread
     */
    @Override
    void close();
}
