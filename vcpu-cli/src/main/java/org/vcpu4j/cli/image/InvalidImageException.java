package org.vcpu4j.cli.image;

/** A guest image that cannot be loaded; the message names the file and the problem. */
public final class InvalidImageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message the file and the problem
     */
    public InvalidImageException(String message) {
        super(message);
    }
}
