package org.vcpu4j.backend.emulated.difftest;

import java.util.List;

/**
 * Where each instruction of a snippet sits: the snippet starts with CLREX at {@link
 * DifftestLayout#SNIPPET} (so that both worlds start with the exclusive monitor open), then the
 * generated instructions; the end address is where the harness's epilogue or the emulator's {@code
 * hvc #0} sits.
 */
final class SnippetLayout {
    /** CLREX (Arm ARM C6.2.56). */
    static final int CLREX = 0xD503305F;
    /** HVC #0 (Arm ARM C6.2.125). */
    static final int HVC0 = 0xD4000002;

    private final List<Instr> instrs;
    private final long[] address;
    private final long end;

    /**
     * Lays out the instructions.
     *
     * @param instrs the generated instructions
     */
    SnippetLayout(List<Instr> instrs) {
        this.instrs = List.copyOf(instrs);
        this.address = new long[instrs.size() + 1];
        long pc = DifftestLayout.SNIPPET + 4;
        for (int i = 0; i < instrs.size(); i++) {
            address[i] = pc;
            pc += 4L * instrs.get(i).words();
        }
        address[instrs.size()] = pc;
        this.end = pc;
    }

    /** {@return the number of instructions} */
    int size() {
        return instrs.size();
    }

    /**
     * {@return the address of instruction {@code i}; {@code size()} gives the end}
     *
     * @param i the index
     */
    long address(int i) {
        return address[Math.min(i, instrs.size())];
    }

    /** {@return the address just past the last instruction} */
    long end() {
        return end;
    }

    /** {@return the snippet words: CLREX and the encoded instructions (no terminator)} */
    int[] words() {
        int total = 1;
        for (Instr in : instrs) {
            total += in.words();
        }
        int[] out = new int[total];
        out[0] = CLREX;
        int at = 1;
        for (int i = 0; i < instrs.size(); i++) {
            int[] w = instrs.get(i).encode(this, i);
            System.arraycopy(w, 0, out, at, w.length);
            at += w.length;
        }
        return out;
    }

    /** {@return the snippet as assembly, one line per word with its address} */
    String listing() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("  %08x:  clrex%n", DifftestLayout.SNIPPET));
        for (int i = 0; i < instrs.size(); i++) {
            String[] lines = instrs.get(i).assembly(this, i);
            for (int k = 0; k < lines.length; k++) {
                sb.append(String.format("  %08x:  %s%n", address[i] + 4L * k, lines[k]));
            }
        }
        sb.append(String.format("  %08x:  <end: hvc #0 / harness epilogue>%n", end));
        return sb.toString();
    }
}
