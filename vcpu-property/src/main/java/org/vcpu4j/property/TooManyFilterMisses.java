package org.vcpu4j.property;

/** A {@link Gen#filter filtered} generator rejected too many values in a row to make one. */
public final class TooManyFilterMisses extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what happened
     */
    public TooManyFilterMisses(String message) {
        super(message);
    }
}
