package org.vcpu4j.backend.emulated.difftest;

/**
 * One generated instruction (or a short fixed group of instructions) of a test snippet: it knows how
 * many words it takes and how to encode and print itself at a given position, so that PC-relative
 * forms (branches, literals, ADR) can be placed anywhere.
 */
sealed interface Instr permits Instr.Fixed, Instr.PcRelative {

    /** {@return the number of 32-bit words this takes} */
    int words();

    /**
     * Encodes this at {@code pc}.
     *
     * @param layout where every instruction of the snippet sits
     * @param index this instruction's index in the snippet
     * @return the words, {@link #words()} of them
     */
    int[] encode(SnippetLayout layout, int index);

    /**
     * {@return the assembly, one line per word}
     *
     * @param layout where every instruction of the snippet sits
     * @param index this instruction's index in the snippet
     */
    String[] assembly(SnippetLayout layout, int index);

    /**
     * Position-independent instructions, encoded once.
     *
     * @param code the words
     * @param asm one line of assembly per word
     */
    record Fixed(int[] code, String[] asm) implements Instr {
        /**
         * {@return a single instruction}
         *
         * @param word the encoding
         * @param asm its assembly
         */
        static Fixed of(int word, String asm) {
            return new Fixed(new int[] {word}, new String[] {asm});
        }

        @Override
        public int words() {
            return code.length;
        }

        @Override
        public int[] encode(SnippetLayout layout, int index) {
            return code.clone();
        }

        @Override
        public String[] assembly(SnippetLayout layout, int index) {
            return asm.clone();
        }

        @Override
        public String toString() {
            return String.join("; ", asm);
        }
    }

    /**
     * An instruction whose encoding depends on where it sits: forward branches (to another instruction of
     * the snippet or to its end), literal loads into the scratch buffer, ADR/ADRP.
     *
     * @param kind what to encode
     * @param reg the register operand (Rt, Rn or Rd, depending on the kind)
     * @param a a kind-specific field: condition, bit number, or register for the BR/BLR/RET group
     * @param skip how many following instructions a branch skips (clamped to the end of the snippet), or
     *     the scratch-buffer offset of a literal, or the ADR/ADRP displacement
     */
    record PcRelative(PcKind kind, int reg, int a, int skip) implements Instr {
        @Override
        public int words() {
            return kind == PcKind.ADR_THEN_BRANCH_REGISTER ? 2 : 1;
        }

        @Override
        public int[] encode(SnippetLayout layout, int index) {
            return A64.encodePcRelative(this, layout, index);
        }

        @Override
        public String[] assembly(SnippetLayout layout, int index) {
            return A64.assemblePcRelative(this, layout, index);
        }

        @Override
        public String toString() {
            return kind + "(reg=" + reg + ", a=" + a + ", skip=" + skip + ")";
        }
    }

    /** The kinds of {@link PcRelative} instructions. */
    enum PcKind {
        /** B. */
        B,
        /** BL. */
        BL,
        /** B.cond ({@code a} is the condition). */
        B_COND,
        /** CBZ, 64-bit ({@code a} bit 0 picks CBNZ, bit 1 picks W). */
        CBZ,
        /** TBZ ({@code a} is the bit 0-63, plus 64 for TBNZ). */
        TBZ,
        /**
         * ADR of a snippet position, then BR/BLR/RET on that register ({@code a}: 0 BR, 1 BLR, 2 RET; 3-5 BR
         * to the position plus 1-3 bytes, a PC alignment fault).
         */
        ADR_THEN_BRANCH_REGISTER,
        /** LDR literal ({@code a}: 0 W, 1 X, 2 SW, 3 PRFM) into the scratch buffer. */
        LITERAL,
        /** ADR ({@code a} = 0) or ADRP ({@code a} = 1) with displacement {@code skip}. */
        ADR
    }
}
