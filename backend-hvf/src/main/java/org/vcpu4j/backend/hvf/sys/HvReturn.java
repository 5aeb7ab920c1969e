package org.vcpu4j.backend.hvf.sys;

/**
 * The {@code hv_return_t} codes (a {@code mach_error_t}; {@code <Hypervisor/hv_error.h>}: {@code
 * err_sub(0x3ba) | err_system(0x3e)}, so every error is {@code 0xfae940xx}).
 */
public enum HvReturn {
    /** The operation completed successfully. */
    HV_SUCCESS(0, "success"),
    /** The operation was unsuccessful. */
    HV_ERROR(0xfae94001, "the operation was unsuccessful"),
    /** The owning resource was busy. */
    HV_BUSY(0xfae94002, "the owning resource is busy (a VM already exists in this process, or the vCPU is running)"),
    /** An argument was invalid. */
    HV_BAD_ARGUMENT(0xfae94003, "an argument is invalid (or the vCPU belongs to another thread)"),
    /** The guest is in an illegal state. */
    HV_ILLEGAL_GUEST_STATE(0xfae94004, "the guest is in an illegal state"),
    /** The host had no resources to complete the request. */
    HV_NO_RESOURCES(0xfae94005, "the host has no resources left for the request"),
    /** No VM or vCPU was available. */
    HV_NO_DEVICE(0xfae94006, "no VM or vCPU is available"),
    /** The system did not allow the operation. */
    HV_DENIED(0xfae94007, "the system denied the operation (is the com.apple.security.hypervisor entitlement missing?)"),
    /** A fault occurred. */
    HV_FAULT(0xfae94008, "a fault occurred"),
    /** The operation is not supported by the hypervisor. */
    HV_UNSUPPORTED(0xfae9400f, "the hypervisor does not support the operation");

    private static final HvReturn[] VALUES = values();

    private final int code;
    private final String meaning;

    HvReturn(int code, String meaning) {
        this.code = code;
        this.meaning = meaning;
    }

    /** {@return the numeric code} */
    public int code() {
        return code;
    }

    /** {@return what the code means, for messages} */
    public String meaning() {
        return meaning;
    }

    /**
     * {@return the code's name and value, e.g. {@code HV_BAD_ARGUMENT 0xfae94003}, also for codes this
     * enum does not know ({@code unknown hv_return_t 0x...})}
     *
     * @param code a returned value
     */
    public static String describe(int code) {
        for (HvReturn r : VALUES) {
            if (r.code == code) {
                return String.format("%s 0x%08x", r.name(), code);
            }
        }
        return String.format("unknown hv_return_t 0x%08x", code);
    }

    /**
     * {@return the constant with this code, or null if the framework returned a value this enum does not know}
     *
     * @param code a returned value
     */
    public static HvReturn of(int code) {
        for (HvReturn r : VALUES) {
            if (r.code == code) {
                return r;
            }
        }
        return null;
    }

    /**
     * Throws if a call failed.
     *
     * @param call the function's name, e.g. {@code hv_vcpu_run}
     * @param code what it returned
     * @throws HvfException if {@code code} is not {@link #HV_SUCCESS}
     */
    public static void check(String call, int code) {
        if (code != 0) {
            throw new HvfException(call, code);
        }
    }
}
