package org.vcpu4j.api;

import java.util.Set;
import java.util.stream.Collectors;

/** A vCPU operation was called in a state that does not allow it, or from the wrong thread. */
public final class IllegalVCpuStateException extends VCpuException {
    private static final long serialVersionUID = 1L;

    private final transient VCpuState current;
    private final transient Set<VCpuState> expected;

    /**
     * Creates the exception for an operation refused in {@code current}.
     *
     * @param vcpuId the vCPU's id
     * @param operation the refused operation, e.g. {@code "run"}
     * @param current the state the vCPU is in
     * @param expected the states the operation accepts
     */
    public IllegalVCpuStateException(int vcpuId, String operation, VCpuState current, Set<VCpuState> expected) {
        super("vCPU " + vcpuId + ": " + operation + "() is not allowed in state " + current
                + "; it needs " + describe(expected));
        this.current = current;
        this.expected = Set.copyOf(expected);
    }

    /**
     * Creates the exception with a message of its own (thread rules, pending completions).
     *
     * @param message the full message
     * @param current the state the vCPU is in
     */
    public IllegalVCpuStateException(String message, VCpuState current) {
        super(message);
        this.current = current;
        this.expected = Set.of();
    }

    /** {@return the state the vCPU was in} */
    public VCpuState current() {
        return current;
    }

    /** {@return the states the operation accepts (empty when the refusal is not about the state)} */
    public Set<VCpuState> expected() {
        return expected;
    }

    private static String describe(Set<VCpuState> states) {
        return states.stream().sorted().map(Enum::name).collect(Collectors.joining(" or "));
    }
}
