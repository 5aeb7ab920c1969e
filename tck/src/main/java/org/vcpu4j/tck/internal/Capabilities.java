package org.vcpu4j.tck.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.vcpu4j.api.GuestIsa;
import org.vcpu4j.spi.Availability;
import org.vcpu4j.spi.VCpuBackendProvider;
import org.vcpu4j.tck.Capability;
import org.vcpu4j.tck.Rule;
import org.vcpu4j.tck.VCpuBackendTck;

/** Evaluates a TCK class's declared capabilities and the backend's availability into skip reasons. */
public final class Capabilities {
    private Capabilities() {}

    /**
     * {@return why {@code rule} is skipped on {@code tck}'s backend, or empty if it runs}
     *
     * @param tck the TCK instance (its capability methods are called)
     * @param rule the rule
     */
    public static Optional<String> skipReason(VCpuBackendTck tck, Rule rule) {
        VCpuBackendProvider provider = tck.provider();
        Availability availability = provider.availability();
        if (!availability.available()) {
            if (VCpuBackendTck.requireAvailable() && tck.hostShouldSupportBackend()) {
                return Optional.empty(); // the rule runs and fails with the reason when it opens the backend
            }
            return Optional.of("backend '" + provider.id() + "' is unavailable: " + availability.reason()
                    + " (set -D" + VCpuBackendTck.REQUIRE_AVAILABLE_PROPERTY + "=true to make this a failure)");
        }
        GuestIsa isa = tck.guestIsa();
        for (Capability c : rule.requires(isa)) {
            if (!has(tck, c, isa)) {
                return Optional.of(rule.id() + " needs the capability " + c + " (" + c.description() + "), which "
                        + tck.getClass().getSimpleName() + "." + c.declaredBy() + " does not declare");
            }
        }
        return Optional.empty();
    }

    /**
     * {@return whether the TCK instance declares the capability}
     *
     * @param tck the TCK instance
     * @param c the capability
     * @param isa the backend's ISA
     */
    public static boolean has(VCpuBackendTck tck, Capability c, GuestIsa isa) {
        return switch (c) {
            case AARCH64_GUEST -> isa == GuestIsa.AARCH64;
            case SYSREG_TRAPS -> tck.sysRegTrapsReachVmm();
            case PSCI_FORWARDED -> tck.psciForwarded();
            case HYPERCALLS -> tck.hypercallsReachVmm();
            case FP_SIMD_STATE -> tck.fpSimdStateAccessible();
            case INTERRUPTS -> tck.interruptsInjectable();
            case IPI_EXITS -> tck.ipisReachVmm();
            case INTERRUPT_CONTROLLER -> tck.interruptControllerOffered();
            case SMP -> tck.maxVCpus() >= 2;
            case FD_COUNT -> Files.isDirectory(Path.of("/proc/self/fd"));
        };
    }
}
