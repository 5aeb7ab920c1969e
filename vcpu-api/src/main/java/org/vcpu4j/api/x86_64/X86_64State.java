package org.vcpu4j.api.x86_64;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.vcpu4j.api.GuestIsa;
import org.vcpu4j.api.RegisterState;

/**
 * The architectural state of an x86-64 vCPU as an immutable value: the sixteen GPRs in
 * instruction-encoding order, RIP, RFLAGS, segment, descriptor-table and control registers, EFER, and
 * the x87/SSE registers ({@link FpuState}).
 */
public final class X86_64State implements RegisterState {
    /** GPR names in instruction-encoding order (the index {@code VCpu.gpr} takes). */
    public static final List<String> GPR_NAMES = List.of(
            "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
            "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15");

    /** Segment registers, in the order {@link #segment(SegmentRegister)} indexes them. */
    public enum SegmentRegister {
        /** Code. */ CS,
        /** Data. */ DS,
        /** Extra. */ ES,
        /** FS. */ FS,
        /** GS. */ GS,
        /** Stack. */ SS,
        /** Task register. */ TR,
        /** Local descriptor table. */ LDT
    }

    private final long[] gpr;
    private final long rip;
    private final long rflags;
    private final Segment[] segments;
    private final DescriptorTable gdt;
    private final DescriptorTable idt;
    private final long cr0;
    private final long cr2;
    private final long cr3;
    private final long cr4;
    private final long cr8;
    private final long efer;
    private final FpuState fpu;

    private X86_64State(Builder b) {
        gpr = b.gpr.clone();
        rip = b.rip;
        rflags = b.rflags;
        segments = b.segments.clone();
        gdt = b.gdt;
        idt = b.idt;
        cr0 = b.cr0;
        cr2 = b.cr2;
        cr3 = b.cr3;
        cr4 = b.cr4;
        cr8 = b.cr8;
        efer = b.efer;
        fpu = b.fpu;
    }

    /** {@return a builder with every register zero, segments null and RFLAGS = 0x2 (bit 1 is reserved-one)} */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return a builder holding this state} */
    public Builder toBuilder() {
        Builder b = new Builder();
        System.arraycopy(gpr, 0, b.gpr, 0, 16);
        b.rip = rip;
        b.rflags = rflags;
        System.arraycopy(segments, 0, b.segments, 0, segments.length);
        b.gdt = gdt;
        b.idt = idt;
        b.cr0 = cr0;
        b.cr2 = cr2;
        b.cr3 = cr3;
        b.cr4 = cr4;
        b.cr8 = cr8;
        b.efer = efer;
        b.fpu = fpu;
        return b;
    }

    @Override
    public GuestIsa isa() {
        return GuestIsa.X86_64;
    }

    /**
     * {@return a general-purpose register}
     *
     * @param n 0-15 in encoding order (see {@link #GPR_NAMES})
     */
    public long gpr(int n) {
        checkGpr(n);
        return gpr[n];
    }

    /** {@return RIP} */
    public long rip() {
        return rip;
    }

    /** {@return RFLAGS} */
    public long rflags() {
        return rflags;
    }

    /**
     * {@return a segment register}
     *
     * @param r which one
     */
    public Segment segment(SegmentRegister r) {
        return segments[r.ordinal()];
    }

    /** {@return the x87 and SSE registers} */
    public FpuState fpu() {
        return fpu;
    }

    /** {@return GDTR} */
    public DescriptorTable gdt() {
        return gdt;
    }

    /** {@return IDTR} */
    public DescriptorTable idt() {
        return idt;
    }

    /** {@return CR0} */
    public long cr0() {
        return cr0;
    }

    /** {@return CR2} */
    public long cr2() {
        return cr2;
    }

    /** {@return CR3} */
    public long cr3() {
        return cr3;
    }

    /** {@return CR4} */
    public long cr4() {
        return cr4;
    }

    /** {@return CR8} */
    public long cr8() {
        return cr8;
    }

    /** {@return EFER} */
    public long efer() {
        return efer;
    }

    /**
     * {@return one line per register that differs from {@code other}'s; empty when equal}
     *
     * @param other the state to compare with
     */
    public List<String> differences(X86_64State other) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            diff(out, GPR_NAMES.get(i), gpr[i], other.gpr[i]);
        }
        diff(out, "rip", rip, other.rip);
        diff(out, "rflags", rflags, other.rflags);
        for (SegmentRegister r : SegmentRegister.values()) {
            if (!segment(r).equals(other.segment(r))) {
                out.add(r + ": " + segment(r) + " != " + other.segment(r));
            }
        }
        if (!gdt.equals(other.gdt)) {
            out.add("gdt: " + gdt + " != " + other.gdt);
        }
        if (!idt.equals(other.idt)) {
            out.add("idt: " + idt + " != " + other.idt);
        }
        diff(out, "cr0", cr0, other.cr0);
        diff(out, "cr2", cr2, other.cr2);
        diff(out, "cr3", cr3, other.cr3);
        diff(out, "cr4", cr4, other.cr4);
        diff(out, "cr8", cr8, other.cr8);
        diff(out, "efer", efer, other.efer);
        if (!fpu.equals(other.fpu)) {
            out.add("fpu: " + fpu + " != " + other.fpu);
        }
        return out;
    }

    private static void diff(List<String> out, String name, long a, long b) {
        if (a != b) {
            out.add(String.format("%s: 0x%x != 0x%x", name, a, b));
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof X86_64State s && Arrays.equals(gpr, s.gpr) && rip == s.rip && rflags == s.rflags
                && Arrays.equals(segments, s.segments) && gdt.equals(s.gdt) && idt.equals(s.idt)
                && cr0 == s.cr0 && cr2 == s.cr2 && cr3 == s.cr3 && cr4 == s.cr4 && cr8 == s.cr8 && efer == s.efer
                && fpu.equals(s.fpu);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(gpr), rip, rflags, Arrays.hashCode(segments), gdt, idt,
                cr0, cr2, cr3, cr4, cr8, efer, fpu);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("X86_64State[");
        for (int i = 0; i < 16; i++) {
            sb.append(GPR_NAMES.get(i)).append("=0x").append(Long.toHexString(gpr[i])).append(' ');
        }
        return sb.append(String.format("rip=0x%x rflags=0x%x cr0=0x%x cr3=0x%x cr4=0x%x efer=0x%x]",
                rip, rflags, cr0, cr3, cr4, efer)).toString();
    }

    private static void checkGpr(int n) {
        if (n < 0 || n > 15) {
            throw new IllegalArgumentException("x86-64 register index must be 0..15 (rax..r15), not " + n);
        }
    }

    /** A mutable builder of {@link X86_64State}. */
    public static final class Builder {
        private final long[] gpr = new long[16];
        private long rip;
        private long rflags = 0x2;
        private final Segment[] segments = new Segment[SegmentRegister.values().length];
        private DescriptorTable gdt = DescriptorTable.EMPTY;
        private DescriptorTable idt = DescriptorTable.EMPTY;
        private long cr0;
        private long cr2;
        private long cr3;
        private long cr4;
        private long cr8;
        private long efer;
        private FpuState fpu = FpuState.INITIAL;

        private Builder() {
            Arrays.fill(segments, Segment.NULL);
        }

        /**
         * Sets a general-purpose register.
         *
         * @param n 0-15 in encoding order
         * @param value the value
         * @return this builder
         */
        public Builder gpr(int n, long value) {
            checkGpr(n);
            gpr[n] = value;
            return this;
        }

        /**
         * Sets RIP.
         *
         * @param value RIP
         * @return this builder
         */
        public Builder rip(long value) {
            rip = value;
            return this;
        }

        /**
         * Sets RFLAGS.
         *
         * @param value RFLAGS
         * @return this builder
         */
        public Builder rflags(long value) {
            rflags = value;
            return this;
        }

        /**
         * Sets a segment register.
         *
         * @param r which one
         * @param value the segment
         * @return this builder
         */
        public Builder segment(SegmentRegister r, Segment value) {
            segments[r.ordinal()] = Objects.requireNonNull(value);
            return this;
        }

        /**
         * Sets GDTR.
         *
         * @param value GDTR
         * @return this builder
         */
        public Builder gdt(DescriptorTable value) {
            gdt = Objects.requireNonNull(value);
            return this;
        }

        /**
         * Sets IDTR.
         *
         * @param value IDTR
         * @return this builder
         */
        public Builder idt(DescriptorTable value) {
            idt = Objects.requireNonNull(value);
            return this;
        }

        /**
         * Sets CR0.
         *
         * @param value CR0
         * @return this builder
         */
        public Builder cr0(long value) {
            cr0 = value;
            return this;
        }

        /**
         * Sets CR2.
         *
         * @param value CR2
         * @return this builder
         */
        public Builder cr2(long value) {
            cr2 = value;
            return this;
        }

        /**
         * Sets CR3.
         *
         * @param value CR3
         * @return this builder
         */
        public Builder cr3(long value) {
            cr3 = value;
            return this;
        }

        /**
         * Sets CR4.
         *
         * @param value CR4
         * @return this builder
         */
        public Builder cr4(long value) {
            cr4 = value;
            return this;
        }

        /**
         * Sets CR8.
         *
         * @param value CR8
         * @return this builder
         */
        public Builder cr8(long value) {
            cr8 = value;
            return this;
        }

        /**
         * Sets EFER.
         *
         * @param value EFER
         * @return this builder
         */
        public Builder efer(long value) {
            efer = value;
            return this;
        }

        /**
         * Sets the x87 and SSE registers.
         *
         * @param value the x87 and SSE registers
         * @return this builder
         */
        public Builder fpu(FpuState value) {
            fpu = Objects.requireNonNull(value);
            return this;
        }

        /** {@return the state} */
        public X86_64State build() {
            return new X86_64State(this);
        }
    }
}
