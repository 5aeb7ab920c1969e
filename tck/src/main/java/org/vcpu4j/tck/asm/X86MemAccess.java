package org.vcpu4j.tck.asm;

import java.util.Objects;
import org.vcpu4j.api.AccessWidth;

/**
 * One x86-64 move between a general-purpose register and an absolute memory address: MOV of every width
 * in both directions, MOVZX and MOVSX from 8 and 16 bits and MOVSXD from 32 bits (Intel SDM Vol. 2B
 * "MOV" 88/89/8A/8B, "MOVZX" 0F B6/B7, "MOVSX/MOVSXD" 0F BE/BF and REX.W 63).
 *
 * <p>Byte registers are always encoded with a REX prefix, so numbers 4-7 mean SPL, BPL, SIL and DIL (not
 * AH, CH, DH, BH; Vol. 2A 2.2.1.2).
 *
 * @param kind MOV, MOVZX or MOVSX
 * @param store whether memory is written (only with MOV)
 * @param memoryWidth the access width
 * @param registerWidth the register operand's width (MOV: the same as the access)
 * @param reg the register, 0-15
 * @param address the absolute address, below 2 GiB
 */
public record X86MemAccess(Kind kind, boolean store, AccessWidth memoryWidth, AccessWidth registerWidth, int reg,
        long address) {

    /** The instruction family. */
    public enum Kind {
        /** MOV: no extension. */
        MOV,
        /** MOVZX: zero extension. */
        MOVZX,
        /** MOVSX/MOVSXD: sign extension. */
        MOVSX
    }

    /** Validates the combination against the encodings that exist. */
    public X86MemAccess {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(memoryWidth, "memoryWidth");
        Objects.requireNonNull(registerWidth, "registerWidth");
        if (reg < 0 || reg > 15) {
            throw new IllegalArgumentException("x86-64 register number must be 0..15, not " + reg);
        }
        if (kind == Kind.MOV && memoryWidth != registerWidth) {
            throw new IllegalArgumentException("MOV moves " + memoryWidth + " into a register of the same width, not "
                    + registerWidth);
        }
        if (kind != Kind.MOV && (store || registerWidth.bytes() <= memoryWidth.bytes()
                || memoryWidth == AccessWidth.QWORD || registerWidth == AccessWidth.BYTE
                || kind == Kind.MOVZX && memoryWidth == AccessWidth.DWORD
                || memoryWidth == AccessWidth.DWORD && registerWidth != AccessWidth.QWORD)) {
            throw new IllegalArgumentException(kind + " from " + memoryWidth + " to " + registerWidth
                    + (store ? " (store)" : "") + " has no encoding");
        }
        if (address < 0 || address > 0x7FFF_FFFFL) {
            throw new IllegalArgumentException(String.format("address 0x%x must be below 2 GiB", address));
        }
    }

    /** {@return the instruction bytes} */
    public byte[] encode() {
        X86 x = new X86();
        if (registerWidth == AccessWidth.WORD) {
            x.emit(0x66); // operand-size prefix (Vol. 2A 2.1.1)
        }
        int rex = 0x40 | (registerWidth == AccessWidth.QWORD ? 8 : 0) | (reg >> 1 & 4);
        if (rex != 0x40 || registerWidth == AccessWidth.BYTE) {
            x.emit(rex);
        }
        switch (kind) {
            case MOV -> x.emit((store ? 0x88 : 0x8A) | (memoryWidth == AccessWidth.BYTE ? 0 : 1));
            case MOVZX -> x.emit(0x0F, memoryWidth == AccessWidth.BYTE ? 0xB6 : 0xB7);
            case MOVSX -> {
                if (memoryWidth == AccessWidth.DWORD) {
                    x.emit(0x63);
                } else {
                    x.emit(0x0F, memoryWidth == AccessWidth.BYTE ? 0xBE : 0xBF);
                }
            }
        }
        return x.absolute(reg, address).toBytes();
    }

    /**
     * {@return the register's value after the load (Vol. 1 3.4.1.1: a 32-bit destination is zero-extended
     * to 64 bits, an 8- or 16-bit destination leaves bits 63:8 or 63:16 unchanged)}
     *
     * @param before the register's value before the load
     * @param deviceValue the value the device returns (only the low {@code memoryWidth} bits count)
     */
    public long loadResult(long before, long deviceValue) {
        long v = deviceValue & memoryWidth.mask();
        if (kind == Kind.MOVSX) {
            v = v << (64 - memoryWidth.bits()) >> (64 - memoryWidth.bits());
        }
        return switch (registerWidth) {
            case QWORD -> v;
            case DWORD -> v & 0xFFFF_FFFFL;
            case WORD, BYTE -> before & ~registerWidth.mask() | v & registerWidth.mask();
        };
    }

    /** {@return the assembler syntax (Intel), e.g. {@code movsx rcx, word ptr [0x60000000]}} */
    public String assembly() {
        String r = registerName(reg, registerWidth);
        String mem = switch (memoryWidth) {
            case BYTE -> "byte";
            case WORD -> "word";
            case DWORD -> "dword";
            case QWORD -> "qword";
        } + String.format(" ptr [0x%x]", address);
        String mnemonic = kind == Kind.MOVSX && memoryWidth == AccessWidth.DWORD ? "movsxd" : kind.name().toLowerCase(java.util.Locale.ROOT);
        return store ? mnemonic + " " + mem + ", " + r : mnemonic + " " + r + ", " + mem;
    }

    /**
     * {@return the Intel name of register {@code reg} at a width}
     *
     * @param reg 0-15
     * @param width the width
     */
    public static String registerName(int reg, AccessWidth width) {
        String[] legacy = {"ax", "cx", "dx", "bx", "sp", "bp", "si", "di"};
        String[] bytes = {"al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil"};
        if (reg >= 8) {
            return "r" + reg + switch (width) {
                case BYTE -> "b";
                case WORD -> "w";
                case DWORD -> "d";
                case QWORD -> "";
            };
        }
        return switch (width) {
            case BYTE -> bytes[reg];
            case WORD -> legacy[reg];
            case DWORD -> "e" + legacy[reg];
            case QWORD -> "r" + legacy[reg];
        };
    }
}
