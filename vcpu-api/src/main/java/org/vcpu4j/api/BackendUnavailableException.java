package org.vcpu4j.api;

/**
 * No backend could be opened: the requested one is unknown or unavailable, or none is available.
 * The message lists every discovered backend with its availability and reason.
 */
public final class BackendUnavailableException extends VCpuException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message which backend was wanted and the state of every discovered backend
     */
    public BackendUnavailableException(String message) {
        super(message);
    }
}
