package org.vcpu4j.api;

/**
 * The root of vcpu4j's unchecked exceptions. Not sealed: backends carry native detail (errno, {@code
 * hv_return_t}, the failing call) in subclasses of their own.
 */
public class VCpuException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a message.
     *
     * @param message what went wrong, for a person
     */
    public VCpuException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a message and a cause.
     *
     * @param message what went wrong, for a person
     * @param cause the underlying failure
     */
    public VCpuException(String message, Throwable cause) {
        super(message, cause);
    }
}
