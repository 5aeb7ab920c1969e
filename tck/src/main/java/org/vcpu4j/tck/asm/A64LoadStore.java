package org.vcpu4j.tck.asm;

import java.util.Objects;
import org.vcpu4j.api.AccessWidth;

/**
 * One A64 single-register load or store of a general-purpose register with an immediate offset: the
 * instructions whose data abort carries a valid syndrome (ISV = 1), so a backend must report them as
 * MMIO exits with width, register, register width and sign extension.
 *
 * <p>Encodings (Arm ARM C6.2, "LDR (immediate)", "LDRB/LDRH/LDRSB/LDRSH/LDRSW (immediate)", "STR/STRB/
 * STRH (immediate)" and the unscaled "LDUR*"/"STUR*" forms): {@code size:2 111 0 01 opc:2 imm12 Rn Rt}
 * (unsigned offset, scaled by the size) and {@code size:2 111 0 00 opc:2 0 imm9 00 Rn Rt} (unscaled).
 * {@code opc} is 00 for a store, 01 for a zero-extending load, 10 for a load sign-extended to 64 bits
 * and 11 for one sign-extended to 32 bits.
 *
 * @param op what the instruction does with the register
 * @param width the access width (the {@code size} field)
 * @param rt the data register, 0-31 (31 = XZR/WZR)
 * @param rn the base register, 0-30 (31 would be SP)
 * @param unscaled whether this is the unscaled LDUR/STUR form
 * @param offset the byte offset: 0..4095*width (a multiple of the width) scaled, -256..255 unscaled
 */
public record A64LoadStore(Op op, AccessWidth width, int rt, int rn, boolean unscaled, int offset) {

    /** The register effect of the instruction, from its {@code opc} field. */
    public enum Op {
        /** STR, STRB, STRH (opc 00). */
        STR(0),
        /** LDR, LDRB, LDRH: zero-extending (opc 01). */
        LDR(1),
        /** LDRSB, LDRSH, LDRSW into an X register (opc 10). */
        LDRS_X(2),
        /** LDRSB, LDRSH into a W register (opc 11). */
        LDRS_W(3);

        private final int opc;

        Op(int opc) {
            this.opc = opc;
        }

        /** {@return the opc field} */
        public int opc() {
            return opc;
        }
    }

    /** Validates the combination against the encodings the architecture allocates. */
    public A64LoadStore {
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(width, "width");
        A64.reg(rt);
        if (rn < 0 || rn > 30) {
            throw new IllegalArgumentException("base register must be X0..X30, not " + rn);
        }
        if (op == Op.LDRS_X && width == AccessWidth.QWORD || op == Op.LDRS_W && width.bytes() >= 4) {
            throw new IllegalArgumentException(op + " of a " + width + " is unallocated (C6.2: LDRSW is X only)");
        }
        if (unscaled ? offset < -256 || offset > 255
                : offset < 0 || offset % width.bytes() != 0 || offset / width.bytes() > 4095) {
            throw new IllegalArgumentException("offset " + offset + " does not fit the "
                    + (unscaled ? "unscaled imm9" : "scaled imm12") + " form of a " + width + " access");
        }
    }

    /** {@return whether this is a load} */
    public boolean isLoad() {
        return op != Op.STR;
    }

    /** {@return whether the loaded value is sign-extended (the syndrome's SSE)} */
    public boolean signExtend() {
        return op == Op.LDRS_X || op == Op.LDRS_W;
    }

    /** {@return the register width: QWORD for an X register, DWORD for a W register (the syndrome's SF)} */
    public AccessWidth registerWidth() {
        return switch (op) {
            case LDRS_X -> AccessWidth.QWORD;
            case LDRS_W -> AccessWidth.DWORD;
            case LDR, STR -> width == AccessWidth.QWORD ? AccessWidth.QWORD : AccessWidth.DWORD;
        };
    }

    /** {@return the instruction word} */
    public int encode() {
        int common = width.log2() << 30 | op.opc << 22 | rn << 5 | rt;
        if (unscaled) {
            return common | 0x3800_0000 | (offset & 0x1FF) << 12;
        }
        return common | 0x3900_0000 | (offset / width.bytes()) << 10;
    }

    /**
     * {@return the value the load leaves in Xt (before XZR is considered), by the Arm ARM's pseudocode:
     * {@code data = Mem[address, size]; X[t] = SignExtend/ZeroExtend(data, regsize)}, a W write
     * clearing bits 63:32}
     *
     * @param deviceValue the value the device returns (only the low {@code width} bits count)
     */
    public long loadResult(long deviceValue) {
        long v = deviceValue & width.mask();
        if (signExtend() && width != AccessWidth.QWORD) {
            v = v << (64 - width.bits()) >> (64 - width.bits());
        }
        return registerWidth() == AccessWidth.QWORD ? v : v & 0xFFFF_FFFFL;
    }

    /** {@return the assembler syntax, e.g. {@code ldrsh w3, [x7, #6]}} */
    public String assembly() {
        String mnemonic = switch (op) {
            case STR -> "str";
            case LDR -> "ldr";
            case LDRS_X, LDRS_W -> "ldrs";
        };
        if (unscaled) {
            mnemonic = mnemonic.replace("ldr", "ldur").replace("str", "stur");
        }
        String suffix = switch (width) {
            case BYTE -> "b";
            case WORD -> "h";
            case DWORD -> signExtend() ? "w" : "";
            case QWORD -> "";
        };
        String reg = rt == 31 ? (registerWidth() == AccessWidth.QWORD ? "xzr" : "wzr")
                : (registerWidth() == AccessWidth.QWORD ? "x" : "w") + rt;
        return mnemonic + suffix + " " + reg + ", [x" + rn + ", #" + offset + "]";
    }
}
