package org.vcpu4j.spi.aarch64;

import java.util.Optional;
import org.vcpu4j.api.VCpuExit;

/**
 * PSCI function ids and return codes (Arm DEN0022, "Arm Power State Coordination Interface"), and the
 * decoding of a call into the exits every backend shares: CPU_ON -> {@code CpuUp}, CPU_OFF -> {@code
 * CpuDown}, SYSTEM_OFF -> {@code SystemDown}, SYSTEM_RESET -> {@code SystemReset}.
 *
 * <p>The function id is read from W0 (SMCCC passes it in W0). A 64-bit id (0xC4...) is accepted only
 * for the functions that PSCI defines an SMC64 form for (CPU_SUSPEND, CPU_ON, AFFINITY_INFO, MIGRATE,
 * MIGRATE_INFO_UP_CPU); arm_vcpu accepts both ranges for every function, which real firmware and
 * KVM's in-kernel PSCI do not. With an SMC32 id, arguments are 32-bit (W1-W3).
 */
public final class Psci {
    /** Base of the SMC32/HVC32 function ids. */
    public static final int BASE32 = 0x8400_0000;
    /** Base of the SMC64/HVC64 function ids. */
    public static final int BASE64 = 0xC400_0000;

    /** PSCI_VERSION. */
    public static final int VERSION = BASE32;
    /** CPU_SUSPEND (SMC32). */
    public static final int CPU_SUSPEND_32 = BASE32 + 1;
    /** CPU_SUSPEND (SMC64). */
    public static final int CPU_SUSPEND_64 = BASE64 + 1;
    /** CPU_OFF. */
    public static final int CPU_OFF = BASE32 + 2;
    /** CPU_ON (SMC32). */
    public static final int CPU_ON_32 = BASE32 + 3;
    /** CPU_ON (SMC64). */
    public static final int CPU_ON_64 = BASE64 + 3;
    /** AFFINITY_INFO (SMC32). */
    public static final int AFFINITY_INFO_32 = BASE32 + 4;
    /** AFFINITY_INFO (SMC64). */
    public static final int AFFINITY_INFO_64 = BASE64 + 4;
    /** MIGRATE_INFO_TYPE. */
    public static final int MIGRATE_INFO_TYPE = BASE32 + 6;
    /** SYSTEM_OFF. */
    public static final int SYSTEM_OFF = BASE32 + 8;
    /** SYSTEM_RESET. */
    public static final int SYSTEM_RESET = BASE32 + 9;
    /** PSCI_FEATURES. */
    public static final int FEATURES = BASE32 + 0xA;

    /** Return code: success. */
    public static final long SUCCESS = 0;
    /** Return code: not supported. */
    public static final long NOT_SUPPORTED = -1;
    /** Return code: invalid parameters. */
    public static final long INVALID_PARAMETERS = -2;
    /** Return code: denied. */
    public static final long DENIED = -3;
    /** Return code: already on. */
    public static final long ALREADY_ON = -4;
    /** The value PSCI_VERSION returns for PSCI 1.0 (major 1 in bits 31:16). */
    public static final long VERSION_1_0 = 0x1_0000;

    private Psci() {}

    /**
     * {@return the exit a PSCI call becomes, or empty if the call is not one the contract turns into an
     * exit of its own (the caller then reports a {@code Hypercall})}
     *
     * @param x0 X0 (the function id is W0)
     * @param x1 X1
     * @param x2 X2
     * @param x3 X3
     */
    public static Optional<VCpuExit> decode(long x0, long x1, long x2, long x3) {
        return Optional.ofNullable(switch ((int) x0) {
            case CPU_ON_64 -> new VCpuExit.CpuUp(x1, x2, x3);
            case CPU_ON_32 -> new VCpuExit.CpuUp(x1 & 0xFFFF_FFFFL, x2 & 0xFFFF_FFFFL, x3 & 0xFFFF_FFFFL);
            case CPU_OFF -> new VCpuExit.CpuDown(x1 & 0xFFFF_FFFFL);
            case SYSTEM_OFF -> new VCpuExit.SystemDown();
            case SYSTEM_RESET -> new VCpuExit.SystemReset();
            default -> null;
        });
    }

    /**
     * {@return whether W0 holds an id in the PSCI ranges (0x84000000-0x8400001F, 0xC4000000-0xC400001F)}
     *
     * @param x0 X0
     */
    public static boolean isPsci(long x0) {
        int w0 = (int) x0;
        return (w0 & 0xFFFF_FFE0) == BASE32 || (w0 & 0xFFFF_FFE0) == BASE64;
    }
}
