package org.vcpu4j.cli.demo;

/** The few A64 encodings the demo needs (Arm ARM C6.2; register numbers 0-31). */
final class A64 {
    /** NOP (C6.2.238): HINT #0. */
    static final int NOP = 0xD503201F;

    private A64() {}

    /** ADR Xd, pc+offset (C6.2.11): 0 immlo:2 10000 immhi:19 Rd. */
    static int adr(int rd, int offset) {
        return 0x1000_0000 | (offset & 3) << 29 | ((offset >> 2) & 0x7FFFF) << 5 | rd;
    }

    /** MOVZ Xd, #imm16, LSL #(16*hw) (C6.2.227): sf=1 opc=10 100101 hw imm16 Rd. */
    static int movz(int rd, int imm16, int hw) {
        return 0xD280_0000 | hw << 21 | (imm16 & 0xFFFF) << 5 | rd;
    }

    /** MOVK Xd, #imm16, LSL #(16*hw) (C6.2.225): sf=1 opc=11 100101 hw imm16 Rd. */
    static int movk(int rd, int imm16, int hw) {
        return 0xF280_0000 | hw << 21 | (imm16 & 0xFFFF) << 5 | rd;
    }

    /** LDRB Wt, [Xn], #imm (C6.2.137, post-index): 00 111 0 00 01 0 imm9 01 Rn Rt. */
    static int ldrbPostIndex(int rt, int rn, int imm9) {
        return 0x3840_0400 | (imm9 & 0x1FF) << 12 | rn << 5 | rt;
    }

    /** STRB Wt, [Xn, #imm] (C6.2.322, unsigned offset): 00 111 0 01 00 imm12 Rn Rt. */
    static int strb(int rt, int rn, int imm12) {
        return 0x3900_0000 | (imm12 & 0xFFF) << 10 | rn << 5 | rt;
    }

    /** CBZ Wt, pc+offset (C6.2.47): sf=0 011010 0 imm19 Rt. */
    static int cbz32(int rt, int offset) {
        return 0x3400_0000 | ((offset >> 2) & 0x7FFFF) << 5 | rt;
    }

    /** B pc+offset (C6.2.26): 000101 imm26. */
    static int b(int offset) {
        return 0x1400_0000 | ((offset >> 2) & 0x3FF_FFFF);
    }

    /** HVC #imm16 (C6.2.108): 11010100 000 imm16 000 10. */
    static int hvc(int imm16) {
        return 0xD400_0002 | (imm16 & 0xFFFF) << 5;
    }
}
