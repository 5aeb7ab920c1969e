package org.vcpu4j.api.aarch64;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.vcpu4j.api.GuestIsa;
import org.vcpu4j.api.RegisterState;

/**
 * The architectural state of an AArch64 vCPU as an immutable value: X0-X30, SP_EL0, SP_EL1, PC,
 * PSTATE, ELR_EL1, SPSR_EL1, V0-V31, FPCR, FPSR and the {@link SystemRegister}s.
 *
 * <p>When the VM has a GICv3 ({@link org.vcpu4j.api.InterruptControllerConfig.GicV3}) the state also
 * carries this vCPU's part of it: {@link #gicRedistributor()} (the redistributor registers by offset from
 * its RD_base, SGI_base registers at 0x1_0000 and up, as {@code KVM_DEV_ARM_VGIC_GRP_REDIST_REGS}) and
 * {@link #gicCpuInterface()} (the ICC_* registers by their 16-bit {@code op0:op1:CRn:CRm:op2} encoding, as
 * {@code KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS}); both are empty without one. The generic timer's registers
 * are {@link SystemRegister}s.
 *
 * <p>PSTATE is held in SPSR format (Arm ARM C5.2.18): N Z C V in bits 31:28, D A I F in bits 9:6,
 * M[3:0] (EL and SP selection) in bits 3:0.
 */
public final class Aarch64State implements RegisterState {
    /** PSTATE after setup: EL1h with D, A, I and F masked (arm_vcpu's SPSR 0x3C5). */
    public static final long PSTATE_EL1H_MASKED = 0x3C5;

    private static final int SYSREG_COUNT = SystemRegister.values().length;

    private final long[] x;
    private final long spEl0;
    private final long spEl1;
    private final long pc;
    private final long pstate;
    private final long elrEl1;
    private final long spsrEl1;
    private final long[] v; // V0..V31, two longs each (low, high)
    private final long fpcr;
    private final long fpsr;
    private final long[] sys;
    private final java.util.SortedMap<Integer, Long> gicRedistributor;
    private final java.util.SortedMap<Integer, Long> gicCpuInterface;

    private Aarch64State(Builder b) {
        this.gicRedistributor = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(b.gicRedistributor));
        this.gicCpuInterface = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(b.gicCpuInterface));
        this.x = b.x.clone();
        this.spEl0 = b.spEl0;
        this.spEl1 = b.spEl1;
        this.pc = b.pc;
        this.pstate = b.pstate;
        this.elrEl1 = b.elrEl1;
        this.spsrEl1 = b.spsrEl1;
        this.v = b.v.clone();
        this.fpcr = b.fpcr;
        this.fpsr = b.fpsr;
        this.sys = b.sys.clone();
    }

    /** {@return a builder with every register zero} */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return the state arm_vcpu's setup leaves: all zero but PSTATE = EL1h, DAIF masked} */
    public static Aarch64State reset() {
        return builder().pstate(PSTATE_EL1H_MASKED).build();
    }

    /** {@return a builder holding this state} */
    public Builder toBuilder() {
        Builder b = new Builder();
        System.arraycopy(x, 0, b.x, 0, 31);
        b.spEl0 = spEl0;
        b.spEl1 = spEl1;
        b.pc = pc;
        b.pstate = pstate;
        b.elrEl1 = elrEl1;
        b.spsrEl1 = spsrEl1;
        System.arraycopy(v, 0, b.v, 0, 64);
        b.fpcr = fpcr;
        b.fpsr = fpsr;
        System.arraycopy(sys, 0, b.sys, 0, SYSREG_COUNT);
        b.gicRedistributor.putAll(gicRedistributor);
        b.gicCpuInterface.putAll(gicCpuInterface);
        return b;
    }

    @Override
    public GuestIsa isa() {
        return GuestIsa.AARCH64;
    }

    /**
     * {@return general-purpose register Xn; X31 reads as zero (XZR)}
     *
     * @param n 0-31
     */
    public long x(int n) {
        checkGpr(n);
        return n == 31 ? 0 : x[n];
    }

    /** {@return SP_EL0} */
    public long spEl0() {
        return spEl0;
    }

    /** {@return SP_EL1} */
    public long spEl1() {
        return spEl1;
    }

    /** {@return the program counter} */
    public long pc() {
        return pc;
    }

    /** {@return PSTATE in SPSR format} */
    public long pstate() {
        return pstate;
    }

    /** {@return ELR_EL1} */
    public long elrEl1() {
        return elrEl1;
    }

    /** {@return SPSR_EL1} */
    public long spsrEl1() {
        return spsrEl1;
    }

    /**
     * {@return SIMD&amp;FP register Vn}
     *
     * @param n 0-31
     */
    public Vec128 v(int n) {
        Objects.checkIndex(n, 32);
        return new Vec128(v[2 * n], v[2 * n + 1]);
    }

    /** {@return FPCR} */
    public long fpcr() {
        return fpcr;
    }

    /** {@return FPSR} */
    public long fpsr() {
        return fpsr;
    }

    /**
     * {@return a system register's value}
     *
     * @param r the register
     */
    public long sys(SystemRegister r) {
        return sys[r.ordinal()];
    }

    /**
     * {@return the GICv3 redistributor registers of this vCPU by offset from RD_base (SGI_base registers at
     * 0x1_0000 + their offset); empty when the VM has no GICv3}
     */
    public java.util.SortedMap<Integer, Long> gicRedistributor() {
        return gicRedistributor;
    }

    /** {@return the GICv3 CPU-interface (ICC_*) registers by 16-bit encoding; empty without a GICv3} */
    public java.util.SortedMap<Integer, Long> gicCpuInterface() {
        return gicCpuInterface;
    }

    /**
     * {@return one line per register whose value differs from {@code other}'s, e.g. {@code "x3:
     * 0x1 != 0x2"}; empty when the states are equal}
     *
     * @param other the state to compare with
     */
    public List<String> differences(Aarch64State other) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < 31; i++) {
            diff(out, "x" + i, x[i], other.x[i]);
        }
        diff(out, "sp_el0", spEl0, other.spEl0);
        diff(out, "sp_el1", spEl1, other.spEl1);
        diff(out, "pc", pc, other.pc);
        diff(out, "pstate", pstate, other.pstate);
        diff(out, "elr_el1", elrEl1, other.elrEl1);
        diff(out, "spsr_el1", spsrEl1, other.spsrEl1);
        for (int i = 0; i < 32; i++) {
            if (v[2 * i] != other.v[2 * i] || v[2 * i + 1] != other.v[2 * i + 1]) {
                out.add("v" + i + ": " + v(i) + " != " + other.v(i));
            }
        }
        diff(out, "fpcr", fpcr, other.fpcr);
        diff(out, "fpsr", fpsr, other.fpsr);
        for (SystemRegister r : SystemRegister.values()) {
            diff(out, r.name().toLowerCase(java.util.Locale.ROOT), sys(r), other.sys(r));
        }
        if (!gicRedistributor.equals(other.gicRedistributor)) {
            out.add("gic redistributor: " + hex(gicRedistributor) + " != " + hex(other.gicRedistributor));
        }
        if (!gicCpuInterface.equals(other.gicCpuInterface)) {
            out.add("gic cpu interface: " + hex(gicCpuInterface) + " != " + hex(other.gicCpuInterface));
        }
        return out;
    }

    private static String hex(java.util.Map<Integer, Long> m) {
        StringBuilder sb = new StringBuilder("{");
        m.forEach((k, v) -> sb.append(sb.length() > 1 ? ", " : "").append(String.format("0x%x=0x%x", k, v)));
        return sb.append('}').toString();
    }

    private static void diff(List<String> out, String name, long a, long b) {
        if (a != b) {
            out.add(String.format("%s: 0x%x != 0x%x", name, a, b));
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Aarch64State s
                && Arrays.equals(x, s.x) && spEl0 == s.spEl0 && spEl1 == s.spEl1 && pc == s.pc
                && pstate == s.pstate && elrEl1 == s.elrEl1 && spsrEl1 == s.spsrEl1
                && Arrays.equals(v, s.v) && fpcr == s.fpcr && fpsr == s.fpsr && Arrays.equals(sys, s.sys)
                && gicRedistributor.equals(s.gicRedistributor) && gicCpuInterface.equals(s.gicCpuInterface);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(x), spEl0, spEl1, pc, pstate, elrEl1, spsrEl1,
                Arrays.hashCode(v), fpcr, fpsr, Arrays.hashCode(sys),
                gicRedistributor, gicCpuInterface);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Aarch64State[");
        for (int i = 0; i < 31; i++) {
            if (x[i] != 0) {
                sb.append("x").append(i).append("=0x").append(Long.toHexString(x[i])).append(' ');
            }
        }
        sb.append(String.format("sp_el0=0x%x sp_el1=0x%x pc=0x%x pstate=0x%x", spEl0, spEl1, pc, pstate));
        return sb.append(']').toString();
    }

    private static void checkGpr(int n) {
        if (n < 0 || n > 31) {
            throw new IllegalArgumentException("AArch64 register index must be 0..31 (31 = XZR), not " + n);
        }
    }

    /** A mutable builder of {@link Aarch64State}. */
    public static final class Builder {
        private final long[] x = new long[31];
        private long spEl0;
        private long spEl1;
        private long pc;
        private long pstate;
        private long elrEl1;
        private long spsrEl1;
        private final long[] v = new long[64];
        private long fpcr;
        private long fpsr;
        private final long[] sys = new long[SYSREG_COUNT];
        private final java.util.TreeMap<Integer, Long> gicRedistributor = new java.util.TreeMap<>();
        private final java.util.TreeMap<Integer, Long> gicCpuInterface = new java.util.TreeMap<>();

        private Builder() {}

        /**
         * Replaces the GICv3 redistributor registers (see {@link Aarch64State#gicRedistributor()}).
         *
         * @param registers values by offset
         * @return this builder
         */
        public Builder gicRedistributor(java.util.Map<Integer, Long> registers) {
            gicRedistributor.clear();
            gicRedistributor.putAll(registers);
            return this;
        }

        /**
         * Replaces the GICv3 CPU-interface registers (see {@link Aarch64State#gicCpuInterface()}).
         *
         * @param registers values by 16-bit encoding
         * @return this builder
         */
        public Builder gicCpuInterface(java.util.Map<Integer, Long> registers) {
            gicCpuInterface.clear();
            gicCpuInterface.putAll(registers);
            return this;
        }

        /**
         * Sets Xn; a write to X31 (XZR) is ignored.
         *
         * @param n 0-31
         * @param value the value
         * @return this builder
         */
        public Builder x(int n, long value) {
            checkGpr(n);
            if (n != 31) {
                x[n] = value;
            }
            return this;
        }

        /**
         * {@return Xn as currently set}
         *
         * @param n 0-31
         */
        public long x(int n) {
            checkGpr(n);
            return n == 31 ? 0 : x[n];
        }

        /**
         * Sets SP_EL0.
         *
         * @param value SP_EL0
         * @return this builder
         */
        public Builder spEl0(long value) {
            spEl0 = value;
            return this;
        }

        /**
         * Sets SP_EL1.
         *
         * @param value SP_EL1
         * @return this builder
         */
        public Builder spEl1(long value) {
            spEl1 = value;
            return this;
        }

        /**
         * Sets the program counter.
         *
         * @param value the program counter
         * @return this builder
         */
        public Builder pc(long value) {
            pc = value;
            return this;
        }

        /** {@return the program counter as currently set} */
        public long pc() {
            return pc;
        }

        /**
         * Sets PSTATE in SPSR format.
         *
         * @param value PSTATE in SPSR format
         * @return this builder
         */
        public Builder pstate(long value) {
            pstate = value;
            return this;
        }

        /** {@return PSTATE as currently set} */
        public long pstate() {
            return pstate;
        }

        /**
         * Sets ELR_EL1.
         *
         * @param value ELR_EL1
         * @return this builder
         */
        public Builder elrEl1(long value) {
            elrEl1 = value;
            return this;
        }

        /**
         * Sets SPSR_EL1.
         *
         * @param value SPSR_EL1
         * @return this builder
         */
        public Builder spsrEl1(long value) {
            spsrEl1 = value;
            return this;
        }

        /**
         * Sets Vn.
         *
         * @param n 0-31
         * @param value the value
         * @return this builder
         */
        public Builder v(int n, Vec128 value) {
            Objects.checkIndex(n, 32);
            v[2 * n] = value.low();
            v[2 * n + 1] = value.high();
            return this;
        }

        /**
         * Sets FPCR.
         *
         * @param value FPCR
         * @return this builder
         */
        public Builder fpcr(long value) {
            fpcr = value;
            return this;
        }

        /**
         * Sets FPSR.
         *
         * @param value FPSR
         * @return this builder
         */
        public Builder fpsr(long value) {
            fpsr = value;
            return this;
        }

        /**
         * Sets a system register.
         *
         * @param r the register
         * @param value the value
         * @return this builder
         */
        public Builder sys(SystemRegister r, long value) {
            sys[r.ordinal()] = value;
            return this;
        }

        /** {@return the state} */
        public Aarch64State build() {
            return new Aarch64State(this);
        }
    }
}
