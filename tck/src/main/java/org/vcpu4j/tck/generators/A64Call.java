package org.vcpu4j.tck.generators;

import java.util.List;

/**
 * An HVC or SMC with the registers SMCCC passes: the function id or call number in X0 and arguments in
 * X1-X6.
 *
 * @param smc whether the call is an SMC (else HVC)
 * @param imm16 the instruction's immediate
 * @param x0 the function id (PSCI) or call number
 * @param args X1-X6
 */
public record A64Call(boolean smc, int imm16, long x0, List<Long> args) {
    /** Validates and copies the arguments. */
    public A64Call {
        args = List.copyOf(args);
        if (args.size() != 6) {
            throw new IllegalArgumentException("a call has six arguments X1-X6, not " + args.size());
        }
    }

    /**
     * {@return X<i>n</i>, 1-6}
     *
     * @param n the register number
     */
    public long x(int n) {
        return n == 0 ? x0 : args.get(n - 1);
    }

    @Override
    public String toString() {
        return String.format("%s #%d x0=0x%x args=%s", smc ? "smc" : "hvc", imm16, x0,
                args.stream().map(a -> "0x" + Long.toHexString(a)).toList());
    }
}
