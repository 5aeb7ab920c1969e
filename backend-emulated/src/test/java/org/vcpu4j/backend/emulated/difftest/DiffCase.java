package org.vcpu4j.backend.emulated.difftest;

import java.util.List;

/**
 * One differential test case: the snippet, the initial registers and flags, and the seed of the
 * scratch buffer's initial contents.
 *
 * @param instrs the generated instructions
 * @param x initial X0-X30
 * @param nzcv initial N, Z, C, V as a 4-bit value
 * @param scratchSeed the seed of the scratch buffer's fill
 */
record DiffCase(List<Instr> instrs, long[] x, int nzcv, long scratchSeed) {

    /** Copies the fields. */
    DiffCase {
        instrs = List.copyOf(instrs);
        x = x.clone();
    }

    /** {@return the layout of the snippet} */
    SnippetLayout layout() {
        return new SnippetLayout(instrs);
    }

    /** {@return the case for a failure message: assembly, then the initial registers} */
    String describe() {
        StringBuilder sb = new StringBuilder("snippet:\n").append(layout().listing()).append("initial state:\n");
        for (int i = 0; i < 31; i++) {
            sb.append(String.format("  x%-2d = 0x%016x%s", i, x[i], i % 3 == 2 ? "\n" : ""));
        }
        sb.append(String.format("%n  sp  = 0x%016x  nzcv = %s%s%s%s  scratch seed = %d%n",
                DifftestLayout.INITIAL_SP, (nzcv & 8) != 0 ? "N" : "n", (nzcv & 4) != 0 ? "Z" : "z",
                (nzcv & 2) != 0 ? "C" : "c", (nzcv & 1) != 0 ? "V" : "v", scratchSeed));
        return sb.toString();
    }

    @Override
    public String toString() {
        return describe();
    }
}
