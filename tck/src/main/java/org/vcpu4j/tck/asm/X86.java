package org.vcpu4j.tck.asm;

import java.io.ByteArrayOutputStream;

/**
 * A tiny x86-64 assembler for 64-bit mode: a builder that appends the instructions the TCK's guests
 * need. Encodings follow the Intel 64 and IA-32 Architectures Software Developer's Manual, Volume 2
 * (instruction set reference; section numbers per instruction below). Memory operands are absolute:
 * ModRM {@code mod=00 r/m=100} with SIB {@code 0x25} (no base, no index) and a sign-extended disp32 (Vol. 2
 * 2.2.1.3 / Table 2-3), so addresses must lie below 2 GiB.
 */
public final class X86 {
    /** RAX's encoding number. */
    public static final int RAX = 0;
    /** RCX's encoding number. */
    public static final int RCX = 1;
    /** RDX's encoding number. */
    public static final int RDX = 2;
    /** RSP's encoding number. */
    public static final int RSP = 4;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** Creates an empty builder. */
    public X86() {}

    /** {@return the number of bytes emitted so far} */
    public int size() {
        return out.size();
    }

    /** {@return the code} */
    public byte[] toBytes() {
        return out.toByteArray();
    }

    /**
     * Appends raw bytes.
     *
     * @param bytes the bytes
     * @return this builder
     */
    public X86 bytes(byte[] bytes) {
        out.writeBytes(bytes);
        return this;
    }

    /** {@return this builder, with HLT (Vol. 2A 3.3 "HLT": F4) appended} */
    public X86 hlt() {
        return emit(0xF4);
    }

    /** {@return this builder, with {@code jmp $} (Vol. 2A "JMP": EB cb, rel8 = -2) appended} */
    public X86 jmpSelf() {
        return emit(0xEB, 0xFE);
    }

    /** {@return this builder, with STI (Vol. 2B "STI": FB) appended} */
    public X86 sti() {
        return emit(0xFB);
    }

    /** {@return this builder, with NOP (Vol. 2B "NOP": 90) appended} */
    public X86 nop() {
        return emit(0x90);
    }

    /**
     * Appends {@code mov r64, imm64} (Vol. 2B "MOV": REX.W + B8+rd io).
     *
     * @param reg the register, 0-15
     * @param value the value
     * @return this builder
     */
    public X86 movImm64(int reg, long value) {
        emit(0x48 | (reg >> 3 & 1), 0xB8 + (reg & 7));
        for (int i = 0; i < 8; i++) {
            out.write((int) (value >>> (8 * i)) & 0xFF);
        }
        return this;
    }

    /**
     * Appends {@code mov [abs32], r64} (Vol. 2B "MOV": REX.W + 89 /r).
     *
     * @param reg the register, 0-15
     * @param address the absolute address, below 2 GiB
     * @return this builder
     */
    public X86 storeQword(int reg, long address) {
        emit(0x48 | (reg >> 1 & 4), 0x89);
        return absolute(reg, address);
    }

    /**
     * Appends {@code lidt [abs32]} (Vol. 2A "LGDT/LIDT": 0F 01 /3).
     *
     * @param address the address of the 10-byte pseudo-descriptor
     * @return this builder
     */
    public X86 lidt(long address) {
        emit(0x0F, 0x01);
        return absolute(3, address);
    }

    /**
     * Appends {@code mov al, imm8} (B0+rb ib) and {@code out imm8, al} (Vol. 2B "OUT": E6 ib).
     *
     * @param port the port, 0-255
     * @param value the byte
     * @return this builder
     */
    public X86 outImm8(int port, int value) {
        return emit(0xB0, value & 0xFF, 0xE6, checkPort8(port));
    }

    /**
     * Appends one memory access.
     *
     * @param access the access
     * @return this builder
     */
    public X86 access(X86MemAccess access) {
        return bytes(access.encode());
    }

    /**
     * Appends one port access.
     *
     * @param access the access
     * @return this builder
     */
    public X86 access(X86PortAccess access) {
        return bytes(access.encode());
    }

    /**
     * Appends the routine that stores the sixteen GPRs, in encoding order, to {@code address + 8 * n}.
     *
     * @param address the absolute address of 128 bytes of RAM, below 2 GiB
     * @return this builder
     */
    public X86 storeAllGprs(long address) {
        for (int r = 0; r < 16; r++) {
            storeQword(r, address + 8L * r);
        }
        return this;
    }

    X86 emit(int... bytes) {
        for (int b : bytes) {
            out.write(b);
        }
        return this;
    }

    X86 absolute(int reg, long address) {
        emit(0x04 | (reg & 7) << 3, 0x25);
        return disp32(address);
    }

    private X86 disp32(long address) {
        if (address < 0 || address > 0x7FFF_FFFFL) {
            throw new IllegalArgumentException(String.format(
                    "absolute disp32 address must be below 2 GiB, not 0x%x", address));
        }
        for (int i = 0; i < 4; i++) {
            out.write((int) (address >>> (8 * i)) & 0xFF);
        }
        return this;
    }

    static int checkPort8(int port) {
        if (port < 0 || port > 0xFF) {
            throw new IllegalArgumentException("an imm8 port must be 0..255, not " + port);
        }
        return port;
    }

    /**
     * {@return the 16-byte 64-bit interrupt gate (Vol. 3A 6.14.1, Figure 6-8: present, DPL 0, type 0xE)}
     *
     * @param handler the handler's address
     * @param codeSelector the 64-bit code segment selector
     */
    public static byte[] interruptGate(long handler, int codeSelector) {
        byte[] g = new byte[16];
        g[0] = (byte) handler;
        g[1] = (byte) (handler >>> 8);
        g[2] = (byte) codeSelector;
        g[3] = (byte) (codeSelector >>> 8);
        g[4] = 0; // IST
        g[5] = (byte) 0x8E; // P=1, DPL=0, type=0xE (64-bit interrupt gate)
        g[6] = (byte) (handler >>> 16);
        g[7] = (byte) (handler >>> 24);
        for (int i = 0; i < 4; i++) {
            g[8 + i] = (byte) (handler >>> (32 + 8 * i));
        }
        return g;
    }

    /**
     * {@return the 10-byte LIDT pseudo-descriptor (Vol. 3A 6.10, 64-bit mode: limit:16, base:64)}
     *
     * @param base the IDT's address
     * @param limit the IDT's limit (size - 1)
     */
    public static byte[] pseudoDescriptor(long base, int limit) {
        byte[] d = new byte[10];
        d[0] = (byte) limit;
        d[1] = (byte) (limit >>> 8);
        for (int i = 0; i < 8; i++) {
            d[2 + i] = (byte) (base >>> (8 * i));
        }
        return d;
    }
}
