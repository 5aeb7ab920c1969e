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
 * @param v initial V0-V31, two longs each (low half first)
 */
record DiffCase(List<Instr> instrs, long[] x, int nzcv, long scratchSeed, long[] v) {

    /** Copies the fields. */
    DiffCase {
        instrs = List.copyOf(instrs);
        x = x.clone();
        v = v.clone();
        if (v.length != 64) {
            throw new IllegalArgumentException("V0-V31 take 64 longs, not " + v.length);
        }
    }

    /**
     * A case with every V register zero.
     *
     * @param instrs the generated instructions
     * @param x initial X0-X30
     * @param nzcv initial flags
     * @param scratchSeed the scratch fill's seed
     */
    DiffCase(List<Instr> instrs, long[] x, int nzcv, long scratchSeed) {
        this(instrs, x, nzcv, scratchSeed, new long[64]);
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
        for (int i = 0; i < 32; i++) {
            if (v[2 * i] != 0 || v[2 * i + 1] != 0) {
                sb.append(String.format("  v%-2d = 0x%016x%016x%n", i, v[2 * i + 1], v[2 * i]));
            }
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return describe();
    }
}
