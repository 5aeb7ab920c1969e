package org.vcpu4j.api;

/**
 * A backend operation failed on the host side: a native call returned an error, or the backend
 * cannot do what was asked. The message names the operation and the native error.
 */
public class BackendException extends VCpuException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message the failing operation and its error
     */
    public BackendException(String message) {
        super(message);
    }

    /**
     * Creates the exception with a cause.
     *
     * @param message the failing operation and its error
     * @param cause the underlying failure
     */
    public BackendException(String message, Throwable cause) {
        super(message, cause);
    }
}
