package org.vcpu4j.api;

/** What a guest access does to memory: read, write or fetch an instruction. Also used as a permission. */
public enum AccessKind {
    /** A data load. */
    READ,
    /** A data store. */
    WRITE,
    /** An instruction fetch. */
    EXECUTE
}
