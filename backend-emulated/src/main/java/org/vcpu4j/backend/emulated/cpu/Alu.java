package org.vcpu4j.backend.emulated.cpu;

/** Pure integer helpers of the A64 pseudocode (Arm ARM J1, "shared/functions"). */
final class Alu {
    /** NZCV bit of N in a 4-bit flags value. */
    static final int N = 8;
    /** NZCV bit of Z. */
    static final int Z = 4;
    /** NZCV bit of C. */
    static final int C = 2;
    /** NZCV bit of V. */
    static final int V = 1;

    private Alu() {}

    /**
     * {@return the flags of {@code a + b + carryIn} (AddWithCarry, Arm ARM J1.1.3), 64-bit}
     */
    static int addFlags64(long a, long b, long r) {
        int n = r < 0 ? N : 0;
        int z = r == 0 ? Z : 0;
        int c = (int) (((a & b) | ((a | b) & ~r)) >>> 63) << 1;
        int v = (int) ((((a ^ r) & (b ^ r)) >>> 63)) & 1;
        return n | z | c | v;
    }

    /** {@return the flags of a 32-bit {@code a + b + carryIn}; r is the 32-bit result} */
    static int addFlags32(int a, int b, int r) {
        int n = r < 0 ? N : 0;
        int z = r == 0 ? Z : 0;
        int c = ((((a & b) | ((a | b) & ~r)) >>> 31) & 1) << 1;
        int v = (((a ^ r) & (b ^ r)) >>> 31) & 1;
        return n | z | c | v;
    }

    /** {@return the flags of {@code a - b} (AddWithCarry(a, NOT(b), 1)), 64-bit; r is a - b} */
    static int subFlags64(long a, long b, long r) {
        int n = r < 0 ? N : 0;
        int z = r == 0 ? Z : 0;
        int c = Long.compareUnsigned(a, b) >= 0 ? C : 0;
        int v = (int) (((a ^ b) & (a ^ r)) >>> 63);
        return n | z | c | v;
    }

    /** {@return the flags of a 32-bit {@code a - b}; r is the 32-bit result} */
    static int subFlags32(int a, int b, int r) {
        int n = r < 0 ? N : 0;
        int z = r == 0 ? Z : 0;
        int c = Integer.compareUnsigned(a, b) >= 0 ? C : 0;
        int v = ((a ^ b) & (a ^ r)) >>> 31;
        return n | z | c | v;
    }

    /** {@return N and Z of a logical result (C and V cleared)} */
    static int logicFlags64(long r) {
        return (r < 0 ? N : 0) | (r == 0 ? Z : 0);
    }

    /** {@return N and Z of a 32-bit logical result (C and V cleared)} */
    static int logicFlags32(int r) {
        return (r < 0 ? N : 0) | (r == 0 ? Z : 0);
    }

    /**
     * {@return whether a condition holds (ConditionHolds, Arm ARM J1.1.3)}
     *
     * @param cond the 4-bit condition
     * @param f NZCV in bits 3:0
     */
    static boolean condition(int cond, int f) {
        boolean r = switch (cond >>> 1) {
            case 0 -> (f & Z) != 0;
            case 1 -> (f & C) != 0;
            case 2 -> (f & N) != 0;
            case 3 -> (f & V) != 0;
            case 4 -> (f & C) != 0 && (f & Z) == 0;
            case 5 -> ((f & N) != 0) == ((f & V) != 0);
            case 6 -> ((f & N) != 0) == ((f & V) != 0) && (f & Z) == 0;
            default -> true;
        };
        return (cond & 1) != 0 && cond != 0xF ? !r : r;
    }

    /**
     * {@return the NZCV values for which a condition holds, as a 16-bit set: bit f is set when the
     * condition holds with flags f}
     *
     * @param cond the 4-bit condition
     */
    static int conditionTable(int cond) {
        int set = 0;
        for (int f = 0; f < 16; f++) {
            if (condition(cond, f)) {
                set |= 1 << f;
            }
        }
        return set;
    }

    /**
     * {@return a register operand shifted (ShiftReg): 0 LSL, 1 LSR, 2 ASR, 3 ROR}
     *
     * @param value the operand (a W operand zero-extended)
     * @param type the shift type
     * @param amount the amount, below the width
     * @param sf whether the operation is 64-bit
     */
    static long shift(long value, int type, int amount, boolean sf) {
        if (sf) {
            return switch (type) {
                case 0 -> value << amount;
                case 1 -> value >>> amount;
                case 2 -> value >> amount;
                default -> Long.rotateRight(value, amount);
            };
        }
        int w = (int) value;
        return switch (type) {
            case 0 -> w << amount;
            case 1 -> w >>> amount;
            case 2 -> w >> amount;
            default -> Integer.rotateRight(w, amount);
        } & 0xFFFF_FFFFL;
    }

    /**
     * {@return an extended register operand (ExtendReg): option 0-3 UXTB/H/W/X, 4-7 SXTB/H/W/X, then
     * shifted left}
     */
    static long extend(long value, int option, int shift) {
        long e = switch (option) {
            case 0 -> value & 0xFF;
            case 1 -> value & 0xFFFF;
            case 2 -> value & 0xFFFF_FFFFL;
            case 4 -> (byte) value;
            case 5 -> (short) value;
            case 6 -> (int) value;
            default -> value;
        };
        return e << shift;
    }

    /**
     * {@return the immediate of a logical instruction (DecodeBitMasks, Arm ARM J1.1.3), or 0 for a
     * reserved encoding (0 is never a valid logical immediate)}
     *
     * @param n the N bit
     * @param imms imms
     * @param immr immr
     * @param sf whether the operation is 64-bit
     */
    static long logicalImmediate(int n, int imms, int immr, boolean sf) {
        int combined = (n << 6) | (~imms & 0x3F);
        if (combined == 0) {
            return 0;
        }
        int len = 31 - Integer.numberOfLeadingZeros(combined);
        if (len < 1 || (!sf && len > 5)) {
            return 0;
        }
        int levels = (1 << len) - 1;
        int s = imms & levels;
        if (s == levels) {
            return 0;
        }
        int r = immr & levels;
        int esize = 1 << len;
        long welem = (1L << (s + 1)) - 1;
        if (r != 0) {
            long mask = esize == 64 ? -1L : (1L << esize) - 1;
            welem = ((welem >>> r) | (welem << (esize - r))) & mask;
        }
        long result = welem;
        for (int e = esize; e < 64; e <<= 1) {
            result |= result << e;
        }
        return sf ? result : result & 0xFFFF_FFFFL;
    }

    /** {@return the count of leading sign bits (CLS), 64-bit} */
    static long cls64(long v) {
        return Long.numberOfLeadingZeros(v ^ (v >> 1)) - 1;
    }

    /** {@return the count of leading sign bits (CLS), 32-bit} */
    static long cls32(int v) {
        return Integer.numberOfLeadingZeros(v ^ (v >> 1)) - 1;
    }

    /** {@return the high 64 bits of the unsigned 128-bit product} */
    static long umulh(long a, long b) {
        return Math.unsignedMultiplyHigh(a, b);
    }
}
