package org.vcpu4j.api;

import java.util.Objects;

/**
 * Whether a VM can create an interrupt controller of a given configuration, and why not.
 *
 * @param available whether {@link VirtualMachine#createInterruptController} can succeed
 * @param reason what the backend offers, or why it cannot, for a person to read
 */
public record InterruptControllerSupport(boolean available, String reason) {
    /** Validates the reason. */
    public InterruptControllerSupport {
        Objects.requireNonNull(reason, "reason");
    }
}
