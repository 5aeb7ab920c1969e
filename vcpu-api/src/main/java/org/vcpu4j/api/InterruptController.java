package org.vcpu4j.api;

/**
 * A VM's interrupt controller, created by {@link VirtualMachine#createInterruptController}. Device
 * models drive its input lines; every method is callable from any thread, concurrently with running
 * vCPUs. A line raised while a vCPU waits in WFI/HLT for an interrupt it can take wakes that vCPU.
 */
public interface InterruptController {

    /** {@return the configuration it was created with} */
    InterruptControllerConfig config();

    /**
     * Sets the level of an input line (a level-sensitive source: the interrupt stays pending while the
     * line is high, also after the guest's EOI, and goes away when it is lowered).
     *
     * @param line an SPI INTID (GICv3) or GSI (x86-64) in {@code [config().firstLine(), config().lineLimit())}
     * @param high the new level
     * @throws IllegalArgumentException if the line is outside that range (never truncated)
     * @throws IllegalStateException if the VM is closed
     */
    void setIrqLevel(int line, boolean high);

    /**
     * Raises and lowers a line at once: one rising edge, for edge-triggered sources (an edge-configured
     * GIC SPI latches pending; an edge-triggered IOAPIC pin delivers once).
     *
     * @param line as for {@link #setIrqLevel}
     * @throws IllegalArgumentException if the line is outside the range
     * @throws IllegalStateException if the VM is closed
     */
    void pulseIrq(int line);

    /**
     * {@return the VM-level state (GICv3: the distributor's registers and the input levels), a value a
     * later {@link #restoreState} takes back; call it while no vCPU runs for a consistent snapshot}
     *
     * @throws UnsupportedOperationException if the backend cannot read the controller's state
     */
    InterruptControllerState saveState();

    /**
     * Replaces the VM-level state.
     *
     * @param state a state saved from a controller of the same configuration
     * @throws IllegalArgumentException if the state is for another configuration
     * @throws UnsupportedOperationException if the backend cannot write the controller's state
     */
    void restoreState(InterruptControllerState state);
}
