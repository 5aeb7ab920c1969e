package org.vcpu4j.tck.generators;

import org.vcpu4j.api.RegisterState;

/**
 * A random register state, as raw words that {@link #applyTo} lays over a backend's own state (the
 * state a vCPU has after setup), so that fields a backend cannot take arbitrary values in (segment
 * descriptors, control registers, MPIDR, SCTLR) keep their valid values. Raw words shrink towards zero,
 * so a failing state shrinks to a small one.
 */
public sealed interface StateRecipe permits A64StateRecipe, X86StateRecipe {

    /**
     * {@return the state: {@code baseline} with the random fields replaced}
     *
     * @param baseline a state saved from the vCPU under test
     */
    RegisterState applyTo(RegisterState baseline);
}
