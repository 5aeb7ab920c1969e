package org.vcpu4j.spi;

import org.vcpu4j.api.InterruptControllerState;

/**
 * A backend's interrupt controller. The library checks every line against the configuration, the VM's
 * lifecycle and the state's configuration before calling; these methods are called from any thread,
 * concurrently with running vCPUs, and must be thread-safe.
 */
public interface InterruptControllerBackend {

    /**
     * Sets the level of an input line; called from any thread.
     *
     * @param line a checked line (SPI INTID or GSI)
     * @param high the new level
     */
    void setLevel(int line, boolean high);

    /**
     * One rising edge; the default raises and lowers the line.
     *
     * @param line a checked line
     */
    default void pulse(int line) {
        setLevel(line, true);
        setLevel(line, false);
    }

    /** {@return the VM-level state} */
    default InterruptControllerState saveState() {
        throw new UnsupportedOperationException("this backend cannot read its interrupt controller's state");
    }

    /**
     * Replaces the controller's VM-level state; the default refuses.
     *
     * @param state a state of the same configuration (checked by the library)
     */
    default void restoreState(InterruptControllerState state) {
        throw new UnsupportedOperationException("this backend cannot write its interrupt controller's state");
    }
}
