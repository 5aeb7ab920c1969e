package org.vcpu4j.api;

/** Which data accesses a watchpoint stops on; gdb's {@code Z2}, {@code Z3} and {@code Z4}. */
public enum WatchKind {
    /** Stores. */
    WRITE,
    /** Loads. */
    READ,
    /** Loads and stores. */
    ACCESS;

    /**
     * {@return whether an access of this kind triggers this watchpoint}
     *
     * @param write whether the access is a store
     */
    public boolean matches(boolean write) {
        return this == ACCESS || (this == WRITE) == write;
    }
}
