package org.vcpu4j.gdb.internal;

import org.vcpu4j.api.RegisterState;
import org.vcpu4j.api.aarch64.Aarch64State;
import org.vcpu4j.api.aarch64.SystemRegister;
import org.vcpu4j.api.aarch64.Vec128;

/**
 * AArch64 as gdb numbers it (gdb/features/aarch64-core.xml and aarch64-fpu.xml): x0-x30 (0-30), sp (31),
 * pc (32), cpsr (33, 32 bits), v0-v31 (34-65, 128 bits), fpsr (66) and fpcr (67), both 32 bits; then, in
 * a feature of our own, SP_EL0, SP_EL1, ELR_EL1, SPSR_EL1 and every {@link SystemRegister} (64 bits).
 */
public final class Aarch64Layout implements RegisterLayout {
    private static final int SP = 31;
    private static final int PC = 32;
    private static final int CPSR = 33;
    private static final int V0 = 34;
    private static final int FPSR = 66;
    private static final int FPCR = 67;
    private static final int SP_EL0 = 68;
    private static final int SP_EL1 = 69;
    private static final int ELR_EL1 = 70;
    private static final int SPSR_EL1 = 71;
    private static final int SYS0 = 72;
    private static final SystemRegister[] SYSREGS = SystemRegister.values();
    private static final String XML = buildXml();

    @Override
    public String targetXml() {
        return XML;
    }

    @Override
    public int count() {
        return SYS0 + SYSREGS.length;
    }

    @Override
    public int size(int regnum) {
        if (regnum >= V0 && regnum < FPSR) {
            return 16;
        }
        return regnum == CPSR || regnum == FPSR || regnum == FPCR ? 4 : 8;
    }

    @Override
    public void append(RegisterState state, int regnum, StringBuilder out) {
        Aarch64State s = (Aarch64State) state;
        if (regnum >= V0 && regnum < FPSR) {
            Vec128 v = s.v(regnum - V0);
            Hex.appendLittleEndian(out, v.low(), 8);
            Hex.appendLittleEndian(out, v.high(), 8);
            return;
        }
        Hex.appendLittleEndian(out, value(s, regnum), size(regnum));
    }

    private static long value(Aarch64State s, int regnum) {
        if (regnum < SP) {
            return s.x(regnum);
        }
        return switch (regnum) {
            case SP -> usesSpEl1(s.pstate()) ? s.spEl1() : s.spEl0();
            case PC -> s.pc();
            case CPSR -> s.pstate();
            case FPSR -> s.fpsr();
            case FPCR -> s.fpcr();
            case SP_EL0 -> s.spEl0();
            case SP_EL1 -> s.spEl1();
            case ELR_EL1 -> s.elrEl1();
            case SPSR_EL1 -> s.spsrEl1();
            default -> s.sys(SYSREGS[regnum - SYS0]);
        };
    }

    /** PSTATE.M[3:0] in SPSR format: EL1h (0b0101) uses SP_EL1, EL0t and EL1t use SP_EL0 (Arm ARM C5.2.18). */
    private static boolean usesSpEl1(long pstate) {
        return (pstate & 0xF) == 0x5;
    }

    @Override
    public RegisterState with(RegisterState state, int regnum, byte[] value) {
        Aarch64State s = (Aarch64State) state;
        Aarch64State.Builder b = s.toBuilder();
        if (regnum >= V0 && regnum < FPSR) {
            b.v(regnum - V0, new Vec128(Hex.littleEndian(value, 0, 8), Hex.littleEndian(value, 8, 8)));
            return b.build();
        }
        long v = Hex.littleEndian(value, 0, size(regnum));
        if (regnum < SP) {
            b.x(regnum, v);
        } else {
            switch (regnum) {
                case SP -> {
                    if (usesSpEl1(s.pstate())) {
                        b.spEl1(v);
                    } else {
                        b.spEl0(v);
                    }
                }
                case PC -> b.pc(v);
                case CPSR -> b.pstate(v);
                case FPSR -> b.fpsr(v);
                case FPCR -> b.fpcr(v);
                case SP_EL0 -> b.spEl0(v);
                case SP_EL1 -> b.spEl1(v);
                case ELR_EL1 -> b.elrEl1(v);
                case SPSR_EL1 -> b.spsrEl1(v);
                default -> b.sys(SYSREGS[regnum - SYS0], v);
            }
        }
        return b.build();
    }

    @Override
    public long pc(RegisterState state) {
        return ((Aarch64State) state).pc();
    }

    @Override
    public int pcRegnum() {
        return PC;
    }

    @Override
    public String describeSystemRegisters(RegisterState state) {
        Aarch64State s = (Aarch64State) state;
        StringBuilder sb = new StringBuilder();
        line(sb, "PSTATE", s.pstate());
        line(sb, "SP_EL0", s.spEl0());
        line(sb, "SP_EL1", s.spEl1());
        line(sb, "ELR_EL1", s.elrEl1());
        line(sb, "SPSR_EL1", s.spsrEl1());
        line(sb, "FPCR", s.fpcr());
        line(sb, "FPSR", s.fpsr());
        for (SystemRegister r : SYSREGS) {
            line(sb, r.name(), s.sys(r));
        }
        return sb.toString();
    }

    private static void line(StringBuilder sb, String name, long value) {
        sb.append(String.format("%-15s 0x%016x%n", name, value));
    }

    private static String buildXml() {
        StringBuilder x = new StringBuilder();
        x.append("<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n<target version=\"1.0\">\n");
        x.append("<architecture>aarch64</architecture>\n");
        x.append("<feature name=\"org.gnu.gdb.aarch64.core\">\n");
        for (int i = 0; i < 31; i++) {
            x.append("<reg name=\"x").append(i).append("\" bitsize=\"64\" regnum=\"").append(i).append("\"/>\n");
        }
        x.append("<reg name=\"sp\" bitsize=\"64\" type=\"data_ptr\" regnum=\"31\"/>\n");
        x.append("<reg name=\"pc\" bitsize=\"64\" type=\"code_ptr\" regnum=\"32\"/>\n");
        x.append("<reg name=\"cpsr\" bitsize=\"32\" regnum=\"33\"/>\n");
        x.append("</feature>\n<feature name=\"org.gnu.gdb.aarch64.fpu\">\n");
        // the vector types of gdb/features/aarch64-fpu.xml
        x.append("""
                <vector id="v2d" type="ieee_double" count="2"/>
                <vector id="v2u" type="uint64" count="2"/>
                <vector id="v2i" type="int64" count="2"/>
                <vector id="v4f" type="ieee_single" count="4"/>
                <vector id="v4u" type="uint32" count="4"/>
                <vector id="v4i" type="int32" count="4"/>
                <vector id="v8u" type="uint16" count="8"/>
                <vector id="v8i" type="int16" count="8"/>
                <vector id="v16u" type="uint8" count="16"/>
                <vector id="v16i" type="int8" count="16"/>
                <vector id="v1u" type="uint128" count="1"/>
                <vector id="v1i" type="int128" count="1"/>
                <union id="vnd"><field name="f" type="v2d"/><field name="u" type="v2u"/><field name="s" type="v2i"/></union>
                <union id="vns"><field name="f" type="v4f"/><field name="u" type="v4u"/><field name="s" type="v4i"/></union>
                <union id="vnh"><field name="u" type="v8u"/><field name="s" type="v8i"/></union>
                <union id="vnb"><field name="u" type="v16u"/><field name="s" type="v16i"/></union>
                <union id="vnq"><field name="u" type="v1u"/><field name="s" type="v1i"/></union>
                <union id="aarch64v"><field name="d" type="vnd"/><field name="s" type="vns"/><field name="h" type="vnh"/><field name="b" type="vnb"/><field name="q" type="vnq"/></union>
                """);
        for (int i = 0; i < 32; i++) {
            x.append("<reg name=\"v").append(i).append("\" bitsize=\"128\" type=\"aarch64v\" regnum=\"")
                    .append(V0 + i).append("\"/>\n");
        }
        x.append("<reg name=\"fpsr\" bitsize=\"32\" regnum=\"66\"/>\n<reg name=\"fpcr\" bitsize=\"32\" regnum=\"67\"/>\n");
        x.append("</feature>\n<feature name=\"org.vcpu4j.aarch64.system\">\n");
        String[] named = {"sp_el0", "sp_el1", "elr_el1", "spsr_el1"};
        for (int i = 0; i < named.length; i++) {
            x.append("<reg name=\"").append(named[i]).append("\" bitsize=\"64\" regnum=\"").append(SP_EL0 + i)
                    .append("\" group=\"system\"/>\n");
        }
        for (int i = 0; i < SYSREGS.length; i++) {
            x.append("<reg name=\"").append(SYSREGS[i].name().toLowerCase(java.util.Locale.ROOT))
                    .append("\" bitsize=\"64\" regnum=\"").append(SYS0 + i).append("\" group=\"system\"/>\n");
        }
        x.append("</feature>\n</target>\n");
        return x.toString();
    }
}
