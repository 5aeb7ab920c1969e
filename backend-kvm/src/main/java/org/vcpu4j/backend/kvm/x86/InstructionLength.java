package org.vcpu4j.backend.kvm.x86;

/**
 * The length of one x86 instruction, decoded from its bytes without interpreting it: legacy prefixes,
 * REX, the one-byte map, the 0F, 0F38 and 0F3A maps, VEX, EVEX and XOP, ModRM, SIB, displacement and
 * immediate (Intel SDM Vol. 2, chapter 2 "Instruction Format", and the opcode maps of Appendix A; AMD
 * APM Vol. 3 section 1.2 and Appendix A for XOP and 3DNow!).
 *
 * <p>KVM needs this on x86-64: at a {@code KVM_EXIT_IO} (IN) or {@code KVM_EXIT_MMIO} (read) exit the
 * guest's RIP still points at the instruction, which KVM retires only on the next {@code KVM_RUN}, and
 * KVM does not report the length.
 *
 * <p>Near branches with an operand-size prefix take a 32-bit displacement in 64-bit mode (Intel 64
 * behaviour, SDM Vol. 2 section 2.2.1.7 "Default 64-Bit Operand Size"; AMD processors use 16 bits).
 * Opcodes that are invalid in the given mode, VEX/EVEX maps other than those above (APX's EVEX map 4,
 * VEX map 7) and inputs longer than 15 bytes (SDM Vol. 2 section 2.3.11) decode to {@link #INVALID}.
 */
public final class InstructionLength {
    /** The result for bytes that do not start a valid instruction in the given mode. */
    public static final int INVALID = -1;
    /** The result when the bytes end before the instruction does. */
    public static final int TRUNCATED = -2;
    /** The architectural limit of an instruction's length (SDM Vol. 2 section 2.3.11). */
    public static final int MAX_LENGTH = 15;

    /** The code size a processor mode decodes with (CS.L, CS.D and EFER.LMA; SDM Vol. 3A section 5.2.1). */
    public enum Mode {
        /** Real mode, virtual-8086 mode and 16-bit protected/compatibility-mode code segments. */
        BITS_16,
        /** 32-bit protected-mode and compatibility-mode code segments. */
        BITS_32,
        /** 64-bit mode (IA-32e with CS.L = 1). */
        BITS_64
    }

    // Operand kinds, one character per opcode (SDM Vol. 2 Appendix A.2 operand codes):
    //   .  no ModRM, no immediate              m  ModRM
    //   b  Ib                                  B  ModRM + Ib
    //   w  Iw                                  z  Iz (16 or 32 bits by operand size)
    //   Z  ModRM + Iz                          v  Iv (16, 32 or 64 bits: MOV r, imm; B8-BF)
    //   a  moffs (address size: MOV A0-A3)     j  Jz near branch (32 bits in 64-bit mode)
    //   e  Iw + Ib (ENTER)                     f  Ap far pointer (Iz + 2)
    //   g  group 3 byte (F6: Ib for /0, /1)    G  group 3 (F7: Iz for /0, /1)
    //   c  ModRM read as register-only (MOV CR/DR, 0F 20-23: SDM Vol. 2 "MOV-Move to/from Control Registers")
    //   X  invalid
    /** One-byte map, 32-bit semantics (SDM Vol. 2 Table A-2); 64-bit differences in {@link #INVALID_IN_64}. */
    private static final String ONE_BYTE =
            "mmmmbz..mmmmbz.." // 00
          + "mmmmbz..mmmmbz.." // 10
          + "mmmmbz..mmmmbz.." // 20
          + "mmmmbz..mmmmbz.." // 30
          + "................" // 40 INC/DEC (REX in 64-bit mode)
          + "................" // 50
          + "..mm....zZbB...." // 60
          + "bbbbbbbbbbbbbbbb" // 70
          + "BZBBmmmmmmmmmmmm" // 80
          + "..........f....." // 90
          + "aaaa....bz......" // A0
          + "bbbbbbbbvvvvvvvv" // B0
          + "BBw.mmBZe.w..b.." // C0
          + "mmmmbb..mmmmmmmm" // D0
          + "bbbbbbbbjjfb...." // E0
          + "......gG......mm"; // F0
    /** Two-byte map 0F xx (SDM Vol. 2 Table A-3); 0F 0F is AMD 3DNow! (ModRM + suffix byte). */
    private static final String TWO_BYTE =
            "mmmmX.....X.Xm.B" // 00
          + "mmmmmmmmmmmmmmmm" // 10
          + "ccccXXXXmmmmmmmm" // 20
          + "......X..X.XXXXX" // 30 (38 and 3A are escapes, handled before the table)
          + "mmmmmmmmmmmmmmmm" // 40
          + "mmmmmmmmmmmmmmmm" // 50
          + "mmmmmmmmmmmmmmmm" // 60
          + "BBBBmmm.mmXXmmmm" // 70
          + "jjjjjjjjjjjjjjjj" // 80
          + "mmmmmmmmmmmmmmmm" // 90
          + "...mBmXX...mBmmm" // A0
          + "mmmmmmmmmmBmmmmm" // B0
          + "mmBmBBBm........" // C0
          + "mmmmmmmmmmmmmmmm" // D0
          + "mmmmmmmmmmmmmmmm" // E0
          + "mmmmmmmmmmmmmmmm"; // F0
    /** One-byte opcodes that are invalid in 64-bit mode (SDM Vol. 2 Table A-2, superscript i64). */
    private static final long[] INVALID_IN_64 = bits(0x06, 0x07, 0x0E, 0x16, 0x17, 0x1E, 0x1F, 0x27, 0x2F, 0x37,
            0x3F, 0x60, 0x61, 0x82, 0x9A, 0xCE, 0xD4, 0xD5, 0xD6, 0xEA);
    /** VEX/EVEX map 1 opcodes with an Ib (SDM Vol. 2 Table A-3: 70-73, C2, C4-C6). */
    private static final long[] VEX_MAP1_IMM8 = bits(0x70, 0x71, 0x72, 0x73, 0xC2, 0xC4, 0xC5, 0xC6);

    private static final byte[] ONE_BYTE_KIND = ONE_BYTE.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] TWO_BYTE_KIND = TWO_BYTE.getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private InstructionLength() {}

    private static long[] bits(int... opcodes) {
        long[] set = new long[4];
        for (int op : opcodes) {
            set[op >>> 6] |= 1L << (op & 63);
        }
        return set;
    }

    private static boolean contains(long[] set, int opcode) {
        return (set[opcode >>> 6] & (1L << (opcode & 63))) != 0;
    }

    /**
     * Decodes the length of the instruction at {@code code[offset]}.
     *
     * @param code the bytes
     * @param offset where the instruction starts
     * @param available how many bytes from {@code offset} may be read
     * @param mode the processor's code size
     * @return the length (1 to 15), {@link #INVALID} or {@link #TRUNCATED}
     */
    public static int of(byte[] code, int offset, int available, Mode mode) {
        if (offset < 0 || available < 0 || offset + available > code.length) {
            throw new IndexOutOfBoundsException("offset " + offset + " and available " + available
                    + " must lie within the " + code.length + " bytes given");
        }
        Cursor c = new Cursor(code, offset, Math.min(available, MAX_LENGTH));
        int length = decode(c, mode);
        if (length == TRUNCATED && available >= MAX_LENGTH) {
            return INVALID; // it would need more than 15 bytes
        }
        return length > MAX_LENGTH ? INVALID : length;
    }

    /**
     * {@return the opcode of a string instruction with a REP, REPE or REPNE prefix (INS, OUTS, MOVS, CMPS,
     * STOS, LODS, SCAS: 6C-6F, A4-A7, AA-AF), or -1 for any other instruction}
     *
     * @param code the instruction's bytes
     * @param length its length, as {@link #of} decoded it
     * @param mode the processor's code size
     */
    public static int repeatedStringOpcode(byte[] code, int length, Mode mode) {
        int opcode = stringOpcode(code, length, mode);
        if (opcode < 0) {
            return -1;
        }
        for (int i = 0; i < length - 1; i++) {
            int b = code[i] & 0xFF;
            if (b == 0xF2 || b == 0xF3) {
                return opcode;
            }
        }
        return -1;
    }

    /**
     * {@return the opcode of a string instruction (6C-6F, A4-A7, AA-AF, with or without a REP prefix), or -1}
     * String instructions have neither ModRM nor immediate, so the opcode is the last byte and every byte
     * before it a prefix (SDM Vol. 2 section 2.1.1 and Table A-2).
     *
     * @param code the instruction's bytes
     * @param length its length, as {@link #of} decoded it
     * @param mode the processor's code size
     */
    public static int stringOpcode(byte[] code, int length, Mode mode) {
        if (length <= 0 || length > code.length) {
            return -1;
        }
        int opcode = code[length - 1] & 0xFF;
        boolean string = (opcode >= 0x6C && opcode <= 0x6F) || (opcode >= 0xA4 && opcode <= 0xA7)
                || (opcode >= 0xAA && opcode <= 0xAF);
        if (!string) {
            return -1;
        }
        for (int i = 0; i < length - 1; i++) {
            int b = code[i] & 0xFF;
            if (!isLegacyPrefix(b) && !(mode == Mode.BITS_64 && (b & 0xF0) == 0x40)) {
                return -1; // an operand byte: the last byte was a displacement or immediate, not the opcode
            }
        }
        return opcode;
    }

    /**
     * {@return whether the prefixes of a decoded instruction include 67 (address size)}
     *
     * @param code the instruction's bytes
     * @param length its length, as {@link #of} decoded it
     */
    public static boolean hasAddressSizePrefix(byte[] code, int length) {
        for (int i = 0; i < Math.min(length, code.length); i++) {
            int b = code[i] & 0xFF;
            if (b == 0x67) {
                return true;
            }
            if (!isLegacyPrefix(b) && (b & 0xF0) != 0x40) {
                return false;
            }
        }
        return false;
    }

    /** A read position that reports a truncated instruction instead of reading past the bytes given. */
    private static final class Cursor {
        final byte[] code;
        final int start;
        final int end;
        int position;
        boolean truncated;

        Cursor(byte[] code, int start, int available) {
            this.code = code;
            this.start = start;
            this.end = start + available;
            this.position = start;
        }

        /** {@return the next byte (unsigned), or 0 with {@link #truncated} set past the end} */
        int next() {
            if (position >= end) {
                truncated = true;
                position++;
                return 0;
            }
            return code[position++] & 0xFF;
        }

        /** {@return the next byte without consuming it, or -1 past the end} */
        int peek() {
            return position < end ? code[position] & 0xFF : -1;
        }

        void skip(int n) {
            position += n;
            if (position > end) {
                truncated = true;
            }
        }

        int length() {
            return position - start;
        }
    }

    private static int decode(Cursor c, Mode mode) {
        boolean operandSizePrefix = false;
        boolean addressSizePrefix = false;
        int repPrefix = 0;
        int rex = 0; // the REX prefix immediately before the current byte, 0 if none
        // SDM Vol. 2 section 2.1.1: any number of legacy prefixes in any order (the 15-byte limit of section
        // 2.3.11 bounds them). Section 2.2.1 (and AMD APM Vol. 3 section 1.2.7): in 64-bit mode a REX prefix
        // counts only immediately before the opcode; one followed by a legacy prefix or by another REX is
        // ignored (but still occupies its byte), so only the last REX before the opcode takes effect.
        while (true) {
            int b = c.next();
            if (c.truncated) {
                return TRUNCATED;
            }
            if (isLegacyPrefix(b)) {
                switch (b) {
                    case 0x66 -> operandSizePrefix = true;
                    case 0x67 -> addressSizePrefix = true;
                    case 0xF2, 0xF3 -> repPrefix = b;
                    default -> { } // LOCK and segment overrides change no length
                }
                rex = 0;
            } else if (mode == Mode.BITS_64 && (b & 0xF0) == 0x40) {
                rex = b;
            } else {
                if (c.length() > MAX_LENGTH) {
                    return INVALID;
                }
                boolean rexW = (rex & 0x08) != 0;
                int length = afterPrefixes(c, mode, b, operandSizePrefix, addressSizePrefix, repPrefix, rexW);
                return c.truncated && length > 0 ? TRUNCATED : length;
            }
            if (c.length() >= MAX_LENGTH) {
                return INVALID; // 15 prefix bytes leave no room for an opcode
            }
        }
    }

    private static boolean isLegacyPrefix(int b) {
        return switch (b) {
            case 0x66, 0x67, 0xF2, 0xF3, 0xF0, 0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65 -> true;
            default -> false;
        };
    }

    private static int afterPrefixes(Cursor c, Mode mode, int opcode, boolean opSizePrefix, boolean adSizePrefix,
            int repPrefix, boolean rexW) {
        int operandSize = operandSize(mode, opSizePrefix, rexW);
        int addressSize = addressSize(mode, adSizePrefix);
        boolean is64 = mode == Mode.BITS_64;
        if (opcode == 0x0F) {
            int second = c.next();
            return switch (second) {
                case 0x38 -> { // three-byte map 0F 38: ModRM, no immediate (SDM Vol. 2 Table A-4)
                    c.next();
                    yield modRm(c, addressSize, false);
                }
                case 0x3A -> { // three-byte map 0F 3A: ModRM + Ib (SDM Vol. 2 Table A-5)
                    c.next();
                    yield withImmediate(c, modRm(c, addressSize, false), 1);
                }
                case 0x78 -> repPrefix == 0xF2 || (opSizePrefix && repPrefix == 0)
                        // AMD SSE4a EXTRQ/INSERTQ with immediates: ModRM + Ib + Ib (AMD APM Vol. 4)
                        ? withImmediate(c, modRm(c, addressSize, false), 2)
                        : modRm(c, addressSize, false);
                default -> operands(c, TWO_BYTE_KIND[second], operandSize, addressSize, is64);
            };
        }
        if (opcode == 0xC4 || opcode == 0xC5 || opcode == 0x62) {
            int next = c.peek();
            if (is64 || (next >= 0 && (next & 0xC0) == 0xC0)) {
                return opcode == 0x62 ? evex(c, addressSize) : vex(c, opcode, addressSize);
            }
            if (next < 0) {
                return TRUNCATED;
            }
        }
        if (opcode == 0x8F) {
            int next = c.peek();
            if (next < 0) {
                return TRUNCATED;
            }
            if ((next & 0x1F) >= 8) {
                return xop(c, addressSize);
            }
        }
        if (is64 && contains(INVALID_IN_64, opcode)) {
            return INVALID;
        }
        int kind = ONE_BYTE_KIND[opcode];
        if (kind == 'a') {
            c.skip(addressSize);
            return c.length();
        }
        return operands(c, kind, operandSize, addressSize, is64);
    }

    /** SDM Vol. 2 section 2.2.1.2 and Table 3-4: REX.W beats 66; 66 flips the default. */
    private static int operandSize(Mode mode, boolean prefix, boolean rexW) {
        if (rexW) {
            return 8;
        }
        return switch (mode) {
            case BITS_16 -> prefix ? 4 : 2;
            case BITS_32, BITS_64 -> prefix ? 2 : 4;
        };
    }

    /** SDM Vol. 2 section 2.2.1.3: 67 selects the other address size of the mode. */
    private static int addressSize(Mode mode, boolean prefix) {
        return switch (mode) {
            case BITS_16 -> prefix ? 4 : 2;
            case BITS_32 -> prefix ? 2 : 4;
            case BITS_64 -> prefix ? 4 : 8;
        };
    }

    private static int operands(Cursor c, int kind, int operandSize, int addressSize, boolean is64) {
        int immz = operandSize == 2 ? 2 : 4;
        return switch (kind) {
            case '.' -> c.length();
            case 'm' -> modRm(c, addressSize, false);
            case 'c' -> modRm(c, addressSize, true);
            case 'b' -> withImmediate(c, c.length(), 1);
            case 'B' -> withImmediate(c, modRm(c, addressSize, false), 1);
            case 'w' -> withImmediate(c, c.length(), 2);
            case 'z' -> withImmediate(c, c.length(), immz);
            case 'j' -> withImmediate(c, c.length(), is64 ? 4 : immz);
            case 'Z' -> withImmediate(c, modRm(c, addressSize, false), immz);
            case 'v' -> withImmediate(c, c.length(), operandSize);
            case 'e' -> withImmediate(c, c.length(), 3);
            case 'f' -> is64 ? INVALID : withImmediate(c, c.length(), immz + 2);
            case 'g', 'G' -> {
                int modRm = c.peek();
                int length = modRm(c, addressSize, false);
                boolean test = modRm >= 0 && ((modRm >>> 3) & 7) < 2; // TEST r/m, imm is /0 (and /1)
                yield test ? withImmediate(c, length, kind == 'g' ? 1 : immz) : length;
            }
            default -> INVALID;
        };
    }

    private static int withImmediate(Cursor c, int lengthSoFar, int bytes) {
        if (lengthSoFar < 0) {
            return lengthSoFar;
        }
        c.skip(bytes);
        return c.length();
    }

    /**
     * Consumes ModRM, SIB and displacement (SDM Vol. 2 section 2.1.5, Tables 2-1 to 2-3 for 16- and 32-bit
     * addressing; section 2.2.1.6 for RIP-relative, which has the same length as disp32).
     */
    private static int modRm(Cursor c, int addressSize, boolean registerOnly) {
        int modRm = c.next();
        int mod = modRm >>> 6;
        int rm = modRm & 7;
        if (mod == 3 || registerOnly) {
            return c.length();
        }
        if (addressSize == 2) {
            int displacement = mod == 1 ? 1 : mod == 2 ? 2 : rm == 6 ? 2 : 0;
            c.skip(displacement);
            return c.length();
        }
        int displacement = mod == 1 ? 1 : mod == 2 ? 4 : 0;
        if (rm == 4) {
            int sib = c.next();
            if (mod == 0 && (sib & 7) == 5) {
                displacement = 4; // SIB base 101 with mod 00: disp32, no base (Table 2-3 note 1)
            }
        } else if (mod == 0 && rm == 5) {
            displacement = 4; // disp32 (RIP-relative in 64-bit mode)
        }
        c.skip(displacement);
        return c.length();
    }

    /**
     * VEX (SDM Vol. 2 section 2.3.5): C5 + 1 byte (map 0F) or C4 + 2 bytes (map in bits 4:0 of the first),
     * then opcode, ModRM (VZEROUPPER/VZEROALL, map 1 opcode 77, have none) and Ib in map 0F3A.
     */
    private static int vex(Cursor c, int prefix, int addressSize) {
        int map;
        if (prefix == 0xC5) {
            c.next();
            map = 1;
        } else {
            map = c.next() & 0x1F;
            c.next();
        }
        int opcode = c.next();
        return switch (map) {
            case 1 -> opcode == 0x77 ? c.length()
                    : withImmediate(c, modRm(c, addressSize, false), contains(VEX_MAP1_IMM8, opcode) ? 1 : 0);
            case 2 -> modRm(c, addressSize, false);
            case 3 -> withImmediate(c, modRm(c, addressSize, false), 1);
            default -> INVALID;
        };
    }

    /**
     * EVEX (SDM Vol. 2 section 2.7.1): 62 + P0 P1 P2, map in P0 bits 2:0 (1 = 0F, 2 = 0F38, 3 = 0F3A,
     * 5 and 6 = the AVX512-FP16 maps), then opcode, ModRM and Ib as in VEX. Compressed disp8 (section
     * 2.7.5) does not change the length.
     */
    private static int evex(Cursor c, int addressSize) {
        int map = c.next() & 7;
        c.next();
        c.next();
        int opcode = c.next();
        return switch (map) {
            case 1 -> withImmediate(c, modRm(c, addressSize, false), contains(VEX_MAP1_IMM8, opcode) ? 1 : 0);
            case 2, 5, 6 -> modRm(c, addressSize, false);
            case 3 -> withImmediate(c, modRm(c, addressSize, false), 1);
            default -> INVALID;
        };
    }

    /** XOP (AMD APM Vol. 3 section 1.2.11): 8F + 2 bytes, map 8 (Ib), 9 (none) or 0Ah (Id), then ModRM. */
    private static int xop(Cursor c, int addressSize) {
        int map = c.next() & 0x1F;
        c.next();
        c.next();
        return switch (map) {
            case 8 -> withImmediate(c, modRm(c, addressSize, false), 1);
            case 9 -> modRm(c, addressSize, false);
            case 0xA -> withImmediate(c, modRm(c, addressSize, false), 4);
            default -> INVALID;
        };
    }
}
