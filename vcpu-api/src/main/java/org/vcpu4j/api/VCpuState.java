package org.vcpu4j.api;

/**
 * The vCPU lifecycle, as axvcpu's {@code VCpuState}, enforced by the library for every backend.
 *
 * <pre>
 *   CREATED --setup--> FREE --bind--> READY --run--> RUNNING --exit--> READY
 *                        ^              |
 *                        +----unbind----+
 *   any state --backend failure during a transition--> INVALID
 *   any state but RUNNING --close--> CLOSED
 * </pre>
 *
 * <p>A call made in the wrong state is refused with {@link IllegalVCpuStateException} and leaves the
 * state as it was (axvcpu 0.2 poisoned the vCPU instead, and its message then printed the poisoned
 * state). A transition whose backend operation fails leaves the vCPU {@link #INVALID}: only {@link
 * VCpu#close()} is accepted then. axvcpu's {@code Blocked} is never entered by any method and is left
 * out.
 */
public enum VCpuState {
    /** A backend operation failed during a transition; only {@code close()} is accepted. */
    INVALID,
    /** Created by {@link VirtualMachine#createVCpu}; waiting for {@link VCpu#setup}. */
    CREATED,
    /** Set up and not bound to a thread. */
    FREE,
    /** Bound to a platform thread and ready to {@link VCpu#run()}. */
    READY,
    /** Inside {@link VCpu#run()}. */
    RUNNING,
    /** Closed; every native resource is released. */
    CLOSED
}
