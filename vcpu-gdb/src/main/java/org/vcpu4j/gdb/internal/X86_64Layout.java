package org.vcpu4j.gdb.internal;

import org.vcpu4j.api.RegisterState;
import org.vcpu4j.api.x86_64.FpuState;
import org.vcpu4j.api.x86_64.Segment;
import org.vcpu4j.api.x86_64.X86_64State;
import org.vcpu4j.api.x86_64.X86_64State.SegmentRegister;

/**
 * x86-64 as gdb numbers it (gdb/features/i386/64bit-core.xml and 64bit-sse.xml): rax, rbx, rcx, rdx, rsi,
 * rdi, rbp, rsp, r8-r15 (0-15), rip (16), eflags (17), cs, ss, ds, es, fs, gs (18-23, 32 bits), st0-st7
 * (24-31, 80 bits), fctrl, fstat, ftag, fiseg, fioff, foseg, fooff, fop (32-39, 32 bits), xmm0-xmm15
 * (40-55, 128 bits), mxcsr (56).
 */
public final class X86_64Layout implements RegisterLayout {
    /** gdb's order of the first 8 GPRs, as instruction-encoding indices (rax rbx rcx rdx rsi rdi rbp rsp). */
    private static final int[] GDB_TO_ENCODING = {0, 3, 1, 2, 6, 7, 5, 4};
    private static final int RIP = 16;
    private static final int EFLAGS = 17;
    private static final int CS = 18;
    private static final int ST0 = 24;
    private static final int FCTRL = 32;
    private static final int XMM0 = 40;
    private static final int MXCSR = 56;
    private static final SegmentRegister[] SEGMENTS = {SegmentRegister.CS, SegmentRegister.SS, SegmentRegister.DS,
        SegmentRegister.ES, SegmentRegister.FS, SegmentRegister.GS};
    private static final String[] GPR_NAMES = {"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp",
        "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"};
    private static final String[] FPU_CONTROL = {"fctrl", "fstat", "ftag", "fiseg", "fioff", "foseg", "fooff", "fop"};
    private static final String XML = buildXml();

    @Override
    public String targetXml() {
        return XML;
    }

    @Override
    public int count() {
        return MXCSR + 1;
    }

    @Override
    public int size(int regnum) {
        if (regnum <= RIP) {
            return 8;
        }
        if (regnum >= ST0 && regnum < FCTRL) {
            return 10;
        }
        return regnum >= XMM0 && regnum < MXCSR ? 16 : 4;
    }

    private static int encoding(int regnum) {
        return regnum < 8 ? GDB_TO_ENCODING[regnum] : regnum;
    }

    @Override
    public void append(RegisterState state, int regnum, StringBuilder out) {
        X86_64State s = (X86_64State) state;
        FpuState f = s.fpu();
        if (regnum >= ST0 && regnum < FCTRL) {
            long[] x87 = f.x87();
            int i = regnum - ST0;
            Hex.appendLittleEndian(out, x87[2 * i], 8);
            Hex.appendLittleEndian(out, x87[2 * i + 1], 2);
            return;
        }
        if (regnum >= XMM0 && regnum < MXCSR) {
            long[] xmm = f.xmm();
            int i = regnum - XMM0;
            Hex.appendLittleEndian(out, xmm[2 * i], 8);
            Hex.appendLittleEndian(out, xmm[2 * i + 1], 8);
            return;
        }
        Hex.appendLittleEndian(out, value(s, regnum), size(regnum));
    }

    private static long value(X86_64State s, int regnum) {
        if (regnum < RIP) {
            return s.gpr(encoding(regnum));
        }
        if (regnum == RIP) {
            return s.rip();
        }
        if (regnum == EFLAGS) {
            return s.rflags();
        }
        if (regnum < ST0) {
            return s.segment(SEGMENTS[regnum - CS]).selector();
        }
        FpuState f = s.fpu();
        return switch (regnum) {
            case FCTRL -> f.fcw();
            case FCTRL + 1 -> f.fsw();
            case FCTRL + 2 -> fullTagWord(f.ftw());
            case FCTRL + 3 -> (f.fip() >>> 32) & 0xFFFF;
            case FCTRL + 4 -> f.fip() & 0xFFFF_FFFFL;
            case FCTRL + 5 -> (f.fdp() >>> 32) & 0xFFFF;
            case FCTRL + 6 -> f.fdp() & 0xFFFF_FFFFL;
            case FCTRL + 7 -> f.fop();
            default -> f.mxcsr();
        };
    }

    /**
     * The FSAVE tag word from FXSAVE's abridged one (SDM Vol. 1 section 10.5.1.1): a register marked not
     * empty is shown valid (00), an empty one 11; which of valid, zero or special it is, FXSAVE does not keep.
     */
    private static long fullTagWord(int abridged) {
        long tag = 0;
        for (int i = 0; i < 8; i++) {
            if ((abridged & (1 << i)) == 0) {
                tag |= 3L << (2 * i);
            }
        }
        return tag;
    }

    private static int abridgedTagWord(long full) {
        int abridged = 0;
        for (int i = 0; i < 8; i++) {
            if (((full >>> (2 * i)) & 3) != 3) {
                abridged |= 1 << i;
            }
        }
        return abridged;
    }

    @Override
    public RegisterState with(RegisterState state, int regnum, byte[] value) {
        X86_64State s = (X86_64State) state;
        X86_64State.Builder b = s.toBuilder();
        FpuState f = s.fpu();
        if (regnum >= ST0 && regnum < FCTRL) {
            long[] x87 = f.x87();
            int i = regnum - ST0;
            x87[2 * i] = Hex.littleEndian(value, 0, 8);
            x87[2 * i + 1] = Hex.littleEndian(value, 8, 2);
            return b.fpu(new FpuState(x87, f.fcw(), f.fsw(), f.ftw(), f.fop(), f.fip(), f.fdp(), f.xmm(), f.mxcsr())).build();
        }
        if (regnum >= XMM0 && regnum < MXCSR) {
            return b.fpu(f.withXmm(regnum - XMM0, Hex.littleEndian(value, 0, 8), Hex.littleEndian(value, 8, 8))).build();
        }
        long v = Hex.littleEndian(value, 0, size(regnum));
        if (regnum < RIP) {
            return b.gpr(encoding(regnum), v).build();
        }
        if (regnum == RIP) {
            return b.rip(v).build();
        }
        if (regnum == EFLAGS) {
            return b.rflags(v).build();
        }
        if (regnum < ST0) {
            SegmentRegister r = SEGMENTS[regnum - CS];
            Segment old = s.segment(r);
            return b.segment(r, new Segment(old.base(), old.limit(), (int) v & 0xFFFF, old.type(), old.present(),
                    old.dpl(), old.db(), old.s(), old.l(), old.g(), old.avl(), old.unusable())).build();
        }
        int fcw = f.fcw();
        int fsw = f.fsw();
        int ftw = f.ftw();
        int fop = f.fop();
        long fip = f.fip();
        long fdp = f.fdp();
        int mxcsr = f.mxcsr();
        switch (regnum) {
            case FCTRL -> fcw = (int) v & 0xFFFF;
            case FCTRL + 1 -> fsw = (int) v & 0xFFFF;
            case FCTRL + 2 -> ftw = abridgedTagWord(v);
            case FCTRL + 3 -> fip = (fip & 0xFFFF_FFFFL) | (v & 0xFFFF) << 32;
            case FCTRL + 4 -> fip = (fip & ~0xFFFF_FFFFL) | (v & 0xFFFF_FFFFL);
            case FCTRL + 5 -> fdp = (fdp & 0xFFFF_FFFFL) | (v & 0xFFFF) << 32;
            case FCTRL + 6 -> fdp = (fdp & ~0xFFFF_FFFFL) | (v & 0xFFFF_FFFFL);
            case FCTRL + 7 -> fop = (int) v & 0x7FF;
            default -> mxcsr = (int) v;
        }
        return b.fpu(new FpuState(f.x87(), fcw, fsw, ftw, fop, fip, fdp, f.xmm(), mxcsr)).build();
    }

    @Override
    public long pc(RegisterState state) {
        return ((X86_64State) state).rip();
    }

    @Override
    public int pcRegnum() {
        return RIP;
    }

    @Override
    public String describeSystemRegisters(RegisterState state) {
        X86_64State s = (X86_64State) state;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%-6s 0x%016x%n", "cr0", s.cr0()));
        sb.append(String.format("%-6s 0x%016x%n", "cr2", s.cr2()));
        sb.append(String.format("%-6s 0x%016x%n", "cr3", s.cr3()));
        sb.append(String.format("%-6s 0x%016x%n", "cr4", s.cr4()));
        sb.append(String.format("%-6s 0x%016x%n", "cr8", s.cr8()));
        sb.append(String.format("%-6s 0x%016x%n", "efer", s.efer()));
        sb.append(String.format("%-6s base 0x%x limit 0x%x%n", "gdt", s.gdt().base(), s.gdt().limit()));
        sb.append(String.format("%-6s base 0x%x limit 0x%x%n", "idt", s.idt().base(), s.idt().limit()));
        for (SegmentRegister r : SegmentRegister.values()) {
            sb.append(String.format("%-6s %s%n", r.name().toLowerCase(java.util.Locale.ROOT), s.segment(r)));
        }
        return sb.toString();
    }

    private static String buildXml() {
        StringBuilder x = new StringBuilder();
        x.append("<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n<target version=\"1.0\">\n");
        x.append("<architecture>i386:x86-64</architecture>\n<feature name=\"org.gnu.gdb.i386.core\">\n");
        for (int i = 0; i < 16; i++) {
            String type = i == 6 || i == 7 ? "data_ptr" : "int64";
            x.append("<reg name=\"").append(GPR_NAMES[i]).append("\" bitsize=\"64\" type=\"").append(type)
                    .append("\" regnum=\"").append(i).append("\"/>\n");
        }
        x.append("<reg name=\"rip\" bitsize=\"64\" type=\"code_ptr\" regnum=\"16\"/>\n");
        x.append("<reg name=\"eflags\" bitsize=\"32\" type=\"int32\" regnum=\"17\"/>\n");
        String[] segments = {"cs", "ss", "ds", "es", "fs", "gs"};
        for (int i = 0; i < segments.length; i++) {
            x.append("<reg name=\"").append(segments[i]).append("\" bitsize=\"32\" type=\"int32\" regnum=\"")
                    .append(CS + i).append("\"/>\n");
        }
        for (int i = 0; i < 8; i++) {
            x.append("<reg name=\"st").append(i).append("\" bitsize=\"80\" type=\"i387_ext\" regnum=\"")
                    .append(ST0 + i).append("\"/>\n");
        }
        for (int i = 0; i < FPU_CONTROL.length; i++) {
            x.append("<reg name=\"").append(FPU_CONTROL[i]).append("\" bitsize=\"32\" type=\"int\" group=\"float\" regnum=\"")
                    .append(FCTRL + i).append("\"/>\n");
        }
        x.append("</feature>\n<feature name=\"org.gnu.gdb.i386.sse\">\n");
        x.append("""
                <vector id="v4f" type="ieee_single" count="4"/>
                <vector id="v2d" type="ieee_double" count="2"/>
                <vector id="v16i8" type="int8" count="16"/>
                <vector id="v8i16" type="int16" count="8"/>
                <vector id="v4i32" type="int32" count="4"/>
                <vector id="v2i64" type="int64" count="2"/>
                <union id="vec128"><field name="v4_float" type="v4f"/><field name="v2_double" type="v2d"/>\
                <field name="v16_int8" type="v16i8"/><field name="v8_int16" type="v8i16"/>\
                <field name="v4_int32" type="v4i32"/><field name="v2_int64" type="v2i64"/>\
                <field name="uint128" type="uint128"/></union>
                """);
        for (int i = 0; i < 16; i++) {
            x.append("<reg name=\"xmm").append(i).append("\" bitsize=\"128\" type=\"vec128\" regnum=\"")
                    .append(XMM0 + i).append("\"/>\n");
        }
        x.append("<reg name=\"mxcsr\" bitsize=\"32\" type=\"int\" group=\"vector\" regnum=\"56\"/>\n");
        x.append("</feature>\n</target>\n");
        return x.toString();
    }
}
