package org.vcpu4j.tck.asm;

/**
 * A tiny A64 assembler: static methods that return the 32-bit instruction word of the instructions the
 * TCK's guests need. Every encoding cites its section of the Arm Architecture Reference Manual (DDI
 * 0487, chapter C6 "A64 Base Instruction Descriptions"); the unit tests compare each form with the
 * output of {@code aarch64-linux-gnu-as}.
 */
public final class A64 {
    /** The register number that means XZR/WZR in a data-processing or load/store Rt field (or SP as a base). */
    public static final int ZR = 31;

    private A64() {}

    /** {@return WFI (C6.2.424: HINT #3)} */
    public static int wfi() {
        return 0xD503_207F;
    }

    /** {@return NOP (C6.2.239: HINT #0)} */
    public static int nop() {
        return 0xD503_201F;
    }

    /**
     * {@return HVC #imm16 (C6.2.125)}
     *
     * @param imm16 the immediate, 0-0xFFFF
     */
    public static int hvc(int imm16) {
        return 0xD400_0002 | checkBits(imm16, 16, "imm16") << 5;
    }

    /**
     * {@return SMC #imm16 (C6.2.330)}
     *
     * @param imm16 the immediate, 0-0xFFFF
     */
    public static int smc(int imm16) {
        return 0xD400_0003 | checkBits(imm16, 16, "imm16") << 5;
    }

    /**
     * {@return B to a byte offset from this instruction (C6.2.26: imm26 = offset / 4)}
     *
     * @param byteOffset a multiple of 4 within +-128 MiB; 0 is the spin loop {@code b .}
     */
    public static int b(int byteOffset) {
        if ((byteOffset & 3) != 0) {
            throw new IllegalArgumentException("branch offset must be a multiple of 4, not " + byteOffset);
        }
        return 0x1400_0000 | (byteOffset >> 2) & 0x03FF_FFFF;
    }

    /**
     * {@return MOVZ Xd, #imm16, LSL #(16*hw) (C6.2.228, sf = 1)}
     *
     * @param rd the destination, 0-30 (31 is XZR)
     * @param imm16 the immediate
     * @param hw the halfword position, 0-3
     */
    public static int movz(int rd, int imm16, int hw) {
        return 0xD280_0000 | checkBits(hw, 2, "hw") << 21 | checkBits(imm16, 16, "imm16") << 5 | reg(rd);
    }

    /**
     * {@return MOVK Xd, #imm16, LSL #(16*hw) (C6.2.226, sf = 1)}
     *
     * @param rd the destination
     * @param imm16 the immediate
     * @param hw the halfword position, 0-3
     */
    public static int movk(int rd, int imm16, int hw) {
        return 0xF280_0000 | checkBits(hw, 2, "hw") << 21 | checkBits(imm16, 16, "imm16") << 5 | reg(rd);
    }

    /**
     * {@return the four words MOVZ + 3 MOVK that put a 64-bit value in Xd}
     *
     * @param rd the destination
     * @param value the value
     */
    public static int[] movImm64(int rd, long value) {
        return new int[] {
            movz(rd, (int) (value & 0xFFFF), 0),
            movk(rd, (int) (value >>> 16 & 0xFFFF), 1),
            movk(rd, (int) (value >>> 32 & 0xFFFF), 2),
            movk(rd, (int) (value >>> 48 & 0xFFFF), 3),
        };
    }

    /**
     * {@return MRS Xt, S&lt;op0&gt;_&lt;op1&gt;_C&lt;n&gt;_C&lt;m&gt;_&lt;op2&gt; (C6.2.232; C5.1.2 system
     * instruction class: bits 31:22 = 1101010100, L = 1)}
     *
     * @param op0 2 or 3
     * @param op1 0-7
     * @param crn 0-15
     * @param crm 0-15
     * @param op2 0-7
     * @param rt the destination, 0-31 (31 = XZR)
     */
    public static int mrs(int op0, int op1, int crn, int crm, int op2, int rt) {
        return 0xD520_0000 | sysFields(op0, op1, crn, crm, op2) | reg(rt);
    }

    /**
     * {@return MSR S&lt;op0&gt;_&lt;op1&gt;_C&lt;n&gt;_C&lt;m&gt;_&lt;op2&gt;, Xt (C6.2.235, register form, L = 0)}
     *
     * @param op0 2 or 3
     * @param op1 0-7
     * @param crn 0-15
     * @param crm 0-15
     * @param op2 0-7
     * @param rt the source, 0-31 (31 = XZR)
     */
    public static int msr(int op0, int op1, int crn, int crm, int op2, int rt) {
        return 0xD500_0000 | sysFields(op0, op1, crn, crm, op2) | reg(rt);
    }

    /**
     * {@return MSR DAIFClr, #imm4 (C6.2.234, PSTATE field form: op1 = 3, CRn = 4, op2 = 7)}
     *
     * @param imm4 the D A I F bits to clear (2 = I)
     */
    public static int msrDaifClr(int imm4) {
        return 0xD503_40FF | checkBits(imm4, 4, "imm4") << 8;
    }

    /**
     * {@return MSR DAIFSet, #imm4 (C6.2.234, PSTATE field form: op1 = 3, CRn = 4, op2 = 6)}
     *
     * @param imm4 the D A I F bits to set (2 = I)
     */
    public static int msrDaifSet(int imm4) {
        return 0xD503_40DF | checkBits(imm4, 4, "imm4") << 8;
    }

    /** {@return ERET (C6.2.84)} */
    public static int eret() {
        return 0xD69F_03E0;
    }

    /** {@return ISB SY (C6.2.151: CRm = 0b1111)} */
    public static int isb() {
        return 0xD503_3FDF;
    }

    /**
     * {@return MOV Xd, Xm: ORR Xd, XZR, Xm (C6.2.205, shifted register, sf = 1)}
     *
     * @param rd the destination
     * @param rm the source
     */
    public static int movReg(int rd, int rm) {
        return 0xAA00_03E0 | reg(rm) << 16 | reg(rd);
    }

    /**
     * {@return ADD Xd, Xn, Xm (C6.2.5, shifted register, sf = 1, LSL #0)}
     *
     * @param rd the destination
     * @param rn the first operand
     * @param rm the second operand
     */
    public static int addReg(int rd, int rn, int rm) {
        return 0x8B00_0000 | reg(rm) << 16 | reg(rn) << 5 | reg(rd);
    }

    /**
     * {@return STR Wt, [Xn, #imm] (C6.2.365, unsigned-offset form, size = 10)}
     *
     * @param rt the source
     * @param rn the base register
     * @param byteOffset a multiple of 4 in 0..16380
     */
    public static int strW(int rt, int rn, int byteOffset) {
        return new A64LoadStore(A64LoadStore.Op.STR, org.vcpu4j.api.AccessWidth.DWORD, rt, rn, false, byteOffset).encode();
    }

    /**
     * {@return STRB Wt, [Xn, #imm] (C6.2.367, unsigned-offset form)}
     *
     * @param rt the source
     * @param rn the base register
     * @param byteOffset 0..4095
     */
    public static int strB(int rt, int rn, int byteOffset) {
        return new A64LoadStore(A64LoadStore.Op.STR, org.vcpu4j.api.AccessWidth.BYTE, rt, rn, false, byteOffset).encode();
    }

    /**
     * {@return LDR Wt, [Xn, #imm] (C6.2.166, unsigned-offset form, size = 10)}
     *
     * @param rt the destination
     * @param rn the base register
     * @param byteOffset a multiple of 4 in 0..16380
     */
    public static int ldrW(int rt, int rn, int byteOffset) {
        return new A64LoadStore(A64LoadStore.Op.LDR, org.vcpu4j.api.AccessWidth.DWORD, rt, rn, false, byteOffset).encode();
    }

    /**
     * {@return TBNZ Wt, #bit, . + byteOffset (C6.2.375: b5 = 0 for bits 0..31, imm14 in words)}
     *
     * @param rt the tested register
     * @param bit 0..31
     * @param byteOffset a multiple of 4 in -32768..32764
     */
    public static int tbnzW(int rt, int bit, int byteOffset) {
        if (byteOffset % 4 != 0 || byteOffset < -32768 || byteOffset > 32764) {
            throw new IllegalArgumentException("TBNZ offset must be a multiple of 4 in -32768..32764, not " + byteOffset);
        }
        return 0x3700_0000 | checkBits(bit, 5, "bit") << 19 | (byteOffset / 4 & 0x3FFF) << 5 | reg(rt);
    }

    /**
     * {@return STP Xt1, Xt2, [Xn|SP, #imm] (C6.2.362, signed-offset form, opc = 10)}
     *
     * @param rt1 the first register
     * @param rt2 the second register
     * @param rn the base register (31 = SP)
     * @param byteOffset a multiple of 8 in -512..504
     */
    public static int stpX(int rt1, int rt2, int rn, int byteOffset) {
        return 0xA900_0000 | imm7(byteOffset, 8) << 15 | reg(rt2) << 10 | reg(rn) << 5 | reg(rt1);
    }

    /**
     * {@return STP Qt1, Qt2, [Xn|SP, #imm] (C7.2.330 STP (SIMD&amp;FP), signed offset, opc = 10)}
     *
     * @param qt1 the first register
     * @param qt2 the second register
     * @param rn the base register (31 = SP)
     * @param byteOffset a multiple of 16 in -1024..1008
     */
    public static int stpQ(int qt1, int qt2, int rn, int byteOffset) {
        return 0xAD00_0000 | imm7(byteOffset, 16) << 15 | reg(qt2) << 10 | reg(rn) << 5 | reg(qt1);
    }

    /**
     * {@return STR Xt, [Xn|SP, #imm] (C6.2.365, unsigned-offset form, size = 11)}
     *
     * @param rt the source
     * @param rn the base register (31 = SP)
     * @param byteOffset a multiple of 8 in 0..32760
     */
    public static int strX(int rt, int rn, int byteOffset) {
        if (byteOffset < 0 || byteOffset % 8 != 0 || byteOffset > 32760) {
            throw new IllegalArgumentException("STR X offset must be a multiple of 8 in 0..32760, not " + byteOffset);
        }
        return 0xF900_0000 | (byteOffset / 8) << 10 | reg(rn) << 5 | reg(rt);
    }

    /**
     * {@return the routine that stores X0-X30 to {@code [SP, #0..#240]} (X<i>n</i> at 8<i>n</i>) and, when
     * {@code withVectors}, Q0-Q31 to {@code [SP, #256..#760]} (Q<i>n</i> at 256 + 16<i>n</i>); SP must
     * hold a 16-byte aligned address with 768 bytes of RAM behind it}
     *
     * @param withVectors whether to store the SIMD&amp;FP registers too
     */
    public static int[] storeAllRegistersAtSp(boolean withVectors) {
        int[] words = new int[16 + (withVectors ? 16 : 0)];
        for (int i = 0; i < 15; i++) {
            words[i] = stpX(2 * i, 2 * i + 1, ZR, 16 * i);
        }
        words[15] = strX(30, ZR, 240);
        if (withVectors) {
            for (int i = 0; i < 16; i++) {
                words[16 + i] = stpQ(2 * i, 2 * i + 1, ZR, 256 + 32 * i);
            }
        }
        return words;
    }

    /**
     * {@return the words as little-endian bytes, as the guest fetches them}
     *
     * @param words instruction words
     */
    public static byte[] toBytes(int... words) {
        byte[] out = new byte[words.length * 4];
        for (int i = 0; i < words.length; i++) {
            int w = words[i];
            out[4 * i] = (byte) w;
            out[4 * i + 1] = (byte) (w >>> 8);
            out[4 * i + 2] = (byte) (w >>> 16);
            out[4 * i + 3] = (byte) (w >>> 24);
        }
        return out;
    }

    /**
     * {@return several instruction sequences concatenated}
     *
     * @param parts the sequences
     */
    public static int[] concat(int[]... parts) {
        int n = 0;
        for (int[] p : parts) {
            n += p.length;
        }
        int[] out = new int[n];
        int i = 0;
        for (int[] p : parts) {
            System.arraycopy(p, 0, out, i, p.length);
            i += p.length;
        }
        return out;
    }

    static int sysFields(int op0, int op1, int crn, int crm, int op2) {
        if (op0 < 2 || op0 > 3) {
            throw new IllegalArgumentException("MRS/MSR op0 must be 2 or 3, not " + op0);
        }
        return op0 << 19 | checkBits(op1, 3, "op1") << 16 | checkBits(crn, 4, "CRn") << 12
                | checkBits(crm, 4, "CRm") << 8 | checkBits(op2, 3, "op2") << 5;
    }

    static int reg(int r) {
        if (r < 0 || r > 31) {
            throw new IllegalArgumentException("A64 register number must be 0..31, not " + r);
        }
        return r;
    }

    static int checkBits(int value, int bits, String name) {
        if (value < 0 || value >= 1 << bits) {
            throw new IllegalArgumentException(name + " must fit in " + bits + " unsigned bits, not " + value);
        }
        return value;
    }

    private static int imm7(int byteOffset, int scale) {
        if (byteOffset % scale != 0 || byteOffset < -64 * scale || byteOffset > 63 * scale) {
            throw new IllegalArgumentException("pair offset must be a multiple of " + scale + " in "
                    + (-64 * scale) + ".." + (63 * scale) + ", not " + byteOffset);
        }
        return (byteOffset / scale) & 0x7F;
    }
}
