package org.vcpu4j.spi;

import java.util.Objects;

/**
 * Whether a backend can run on this host, and why (or why not), for a person to read.
 *
 * @param available whether {@link VCpuBackendProvider#open()} can succeed
 * @param reason what was found, e.g. {@code "/dev/kvm opened, API version 12"} or {@code "not macOS
 *     (os.name is Linux)"}
 */
public record Availability(boolean available, String reason) {
    /** Validates the reason. */
    public Availability {
        Objects.requireNonNull(reason, "reason");
    }

    /**
     * {@return an available result}
     *
     * @param reason what was found
     */
    public static Availability available(String reason) {
        return new Availability(true, reason);
    }

    /**
     * {@return an unavailable result}
     *
     * @param reason why, and where possible what to do about it
     */
    public static Availability unavailable(String reason) {
        return new Availability(false, reason);
    }

    @Override
    public String toString() {
        return (available ? "available" : "unavailable") + ": " + reason;
    }
}
