package org.vcpu4j.api;

/** A guest memory region was refused: overlapping, misaligned, out of range, or not mappable. */
public final class MemoryMapException extends VCpuException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what is wrong with the region, naming its addresses
     */
    public MemoryMapException(String message) {
        super(message);
    }
}
