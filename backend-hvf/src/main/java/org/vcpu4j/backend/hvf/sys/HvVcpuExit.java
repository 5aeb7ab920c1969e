package org.vcpu4j.backend.hvf.sys;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

/**
 * {@code hv_vcpu_exit_t} ({@code <Hypervisor/hv_vcpu_types.h>}, arm64), 32 bytes, align 8:
 * {@code hv_exit_reason_t reason} (u32) at 0, then {@code hv_vcpu_exit_exception_t exception} at 8 =
 * {@code {u64 syndrome; u64 virtual_address; u64 physical_address}}. {@code hv_vcpu_run} fills it.
 */
public final class HvVcpuExit {
    /** {@code HV_EXIT_REASON_CANCELED}: {@code hv_vcpus_exit} stopped the run. */
    public static final int REASON_CANCELED = 0;
    /** {@code HV_EXIT_REASON_EXCEPTION}: the guest trapped; see the syndrome. */
    public static final int REASON_EXCEPTION = 1;
    /** {@code HV_EXIT_REASON_VTIMER_ACTIVATED}: the virtual timer fired (it is now masked). */
    public static final int REASON_VTIMER_ACTIVATED = 2;
    /** {@code HV_EXIT_REASON_UNKNOWN}: an exit the framework does not describe. */
    public static final int REASON_UNKNOWN = 3;

    private static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ValueLayout.JAVA_INT.withName("reason"),
            MemoryLayout.paddingLayout(4),
            MemoryLayout.structLayout(
                    ValueLayout.JAVA_LONG.withName("syndrome"),
                    ValueLayout.JAVA_LONG.withName("virtual_address"),
                    ValueLayout.JAVA_LONG.withName("physical_address")).withName("exception"))
            .withName("hv_vcpu_exit_t");

    private static final long REASON_OFFSET = 0;
    private static final long SYNDROME_OFFSET = 8;
    private static final long VIRTUAL_ADDRESS_OFFSET = 16;
    private static final long PHYSICAL_ADDRESS_OFFSET = 24;

    private HvVcpuExit() {}

    /** {@return the struct's layout} */
    public static StructLayout layout() {
        return LAYOUT;
    }

    /** {@return the offset of {@code reason}} */
    public static long reason$offset() {
        return REASON_OFFSET;
    }

    /** {@return the offset of {@code exception.syndrome}} */
    public static long syndrome$offset() {
        return SYNDROME_OFFSET;
    }

    /** {@return the offset of {@code exception.virtual_address}} */
    public static long virtualAddress$offset() {
        return VIRTUAL_ADDRESS_OFFSET;
    }

    /** {@return the offset of {@code exception.physical_address}} */
    public static long physicalAddress$offset() {
        return PHYSICAL_ADDRESS_OFFSET;
    }

    /** @param exit the struct @return {@code reason} */
    public static int reason(MemorySegment exit) {
        return exit.get(ValueLayout.JAVA_INT, REASON_OFFSET);
    }

    /** @param exit the struct @return {@code exception.syndrome} (ESR_EL2) */
    public static long syndrome(MemorySegment exit) {
        return exit.get(ValueLayout.JAVA_LONG, SYNDROME_OFFSET);
    }

    /** @param exit the struct @return {@code exception.virtual_address} (FAR_EL2) */
    public static long virtualAddress(MemorySegment exit) {
        return exit.get(ValueLayout.JAVA_LONG, VIRTUAL_ADDRESS_OFFSET);
    }

    /** @param exit the struct @return {@code exception.physical_address} (the faulting IPA) */
    public static long physicalAddress(MemorySegment exit) {
        return exit.get(ValueLayout.JAVA_LONG, PHYSICAL_ADDRESS_OFFSET);
    }

    /**
     * Fills the struct (what {@code hv_vcpu_run} does; used by fakes of the framework).
     *
     * @param exit the struct
     * @param reason {@code reason}
     * @param syndrome {@code exception.syndrome}
     * @param virtualAddress {@code exception.virtual_address}
     * @param physicalAddress {@code exception.physical_address}
     */
    public static void set(MemorySegment exit, int reason, long syndrome, long virtualAddress, long physicalAddress) {
        exit.set(ValueLayout.JAVA_INT, REASON_OFFSET, reason);
        exit.set(ValueLayout.JAVA_LONG, SYNDROME_OFFSET, syndrome);
        exit.set(ValueLayout.JAVA_LONG, VIRTUAL_ADDRESS_OFFSET, virtualAddress);
        exit.set(ValueLayout.JAVA_LONG, PHYSICAL_ADDRESS_OFFSET, physicalAddress);
    }
}
