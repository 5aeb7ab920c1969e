package org.vcpu4j.backend.emulated;

import org.vcpu4j.api.GuestIsa;
import org.vcpu4j.spi.Availability;
import org.vcpu4j.spi.HypervisorBackend;
import org.vcpu4j.spi.VCpuBackendProvider;

/**
 * The emulated backend's provider: id {@code emulated}, AArch64 guests, priority 10 (below the
 * hardware backends), always available.
 *
 * <p>Time: by default the generic timer counts the host's monotonic clock at 62.5 MHz, as QEMU's virt
 * board does. {@link #withInstructionCountedTime()} gives a provider whose vCPUs count one tick per
 * retired instruction instead, and whose WFI skips ahead to the next timer deadline instead of sleeping:
 * a guest then reads the same counts and takes its timer interrupts at the same instructions on every
 * run (what record/replay and reproducible tests need; QEMU calls it icount). Each vCPU counts its own
 * instructions, so only a one-vCPU guest is fully deterministic.
 */
public final class EmulatedBackendProvider implements VCpuBackendProvider {
    /** The backend id. */
    public static final String ID = "emulated";
    /** The selection priority (hardware backends use 100). */
    public static final int PRIORITY = 10;

    private final boolean instructionCountedTime;

    /** Creates the provider; has no side effects. */
    public EmulatedBackendProvider() {
        this(false);
    }

    private EmulatedBackendProvider(boolean instructionCountedTime) {
        this.instructionCountedTime = instructionCountedTime;
    }

    /**
     * {@return a provider of the same backend whose generic timer counts retired instructions (see the
     * class documentation); open it with {@code Backends.open(provider)}}
     */
    public static EmulatedBackendProvider withInstructionCountedTime() {
        return new EmulatedBackendProvider(true);
    }

    /** {@return whether this provider's vCPUs count time in retired instructions} */
    public boolean instructionCountedTime() {
        return instructionCountedTime;
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public GuestIsa guestIsa() {
        return GuestIsa.AARCH64;
    }

    @Override
    public int priority() {
        return PRIORITY;
    }

    @Override
    public Availability availability() {
        return Availability.available("pure-Java AArch64 interpreter; runs on any JVM");
    }

    @Override
    public HypervisorBackend open() {
        return new EmulatedHypervisor(instructionCountedTime);
    }
}
