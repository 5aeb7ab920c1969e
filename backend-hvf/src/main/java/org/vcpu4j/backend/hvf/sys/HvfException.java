package org.vcpu4j.backend.hvf.sys;

import org.vcpu4j.api.BackendException;

/**
 * A Hypervisor.framework call returned an error: the message names the call and the code, e.g. {@code
 * "hv_vm_map failed: HV_BAD_ARGUMENT 0xfae94003 (an argument is invalid ...)"}.
 */
public final class HvfException extends BackendException {
    private static final long serialVersionUID = 1L;

    private final String call;
    private final int code;

    /**
     * Creates the exception.
     *
     * @param call the failing function
     * @param code the {@code hv_return_t} it returned
     */
    public HvfException(String call, int code) {
        super(message(call, code, null));
        this.call = call;
        this.code = code;
    }

    /**
     * Creates the exception with more context.
     *
     * @param call the failing function
     * @param code the {@code hv_return_t} it returned
     * @param context what the backend was doing, appended to the message
     */
    public HvfException(String call, int code, String context) {
        super(message(call, code, context));
        this.call = call;
        this.code = code;
    }

    /** {@return the failing function's name} */
    public String call() {
        return call;
    }

    /** {@return the raw {@code hv_return_t}} */
    public int code() {
        return code;
    }

    /** {@return the code as a constant, or null if unknown} */
    public HvReturn hvReturn() {
        return HvReturn.of(code);
    }

    private static String message(String call, int code, String context) {
        HvReturn r = HvReturn.of(code);
        return call + " failed: " + HvReturn.describe(code) + (r == null ? "" : " (" + r.meaning() + ")")
                + (context == null ? "" : "; " + context);
    }
}
