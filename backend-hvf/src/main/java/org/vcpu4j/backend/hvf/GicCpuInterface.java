package org.vcpu4j.backend.hvf;

import java.util.TreeSet;
import org.vcpu4j.api.aarch64.SystemRegister;

/**
 * A minimal GICv3 CPU interface (Arm IHI 0069, chapter 12, ICC_* registers) for one vCPU, the same
 * model the emulated backend has: Hypervisor.framework without its macOS 15 GIC traps the guest's ICC_*
 * accesses to the host and has one IRQ line per vCPU, so the backend answers them itself.
 *
 * <p>Model: a set of pending and a set of active interrupt ids, no priorities. An IRQ is signalled
 * while some id is pending and none is active. ICC_IAR1_EL1 returns the lowest pending id and makes it
 * active (1023, spurious, when nothing is signalled); ICC_EOIR1_EL1 and ICC_DIR_EL1 end it.
 * ICC_HPPIR1_EL1 returns the lowest pending id or 1023; ICC_RPR_EL1 is 0 while an id is active, else
 * 0xFF. PMR, BPR1, CTLR, SRE (SRE bit forced to 1), IGRPEN1 and AP1R0 are stored. ICC_SGI1R_EL1 is not
 * here: its writes are {@code SendIpi} exits for the VMM.
 */
final class GicCpuInterface {
    /** The spurious interrupt id. */
    static final int SPURIOUS = 1023;

    static final long ICC_PMR_EL1 = SystemRegister.issAddress(3, 0, 4, 6, 0);
    static final long ICC_IAR1_EL1 = SystemRegister.issAddress(3, 0, 12, 12, 0);
    static final long ICC_EOIR1_EL1 = SystemRegister.issAddress(3, 0, 12, 12, 1);
    static final long ICC_HPPIR1_EL1 = SystemRegister.issAddress(3, 0, 12, 12, 2);
    static final long ICC_BPR1_EL1 = SystemRegister.issAddress(3, 0, 12, 12, 3);
    static final long ICC_CTLR_EL1 = SystemRegister.issAddress(3, 0, 12, 12, 4);
    static final long ICC_SRE_EL1 = SystemRegister.issAddress(3, 0, 12, 12, 5);
    static final long ICC_IGRPEN1_EL1 = SystemRegister.issAddress(3, 0, 12, 12, 7);
    static final long ICC_DIR_EL1 = SystemRegister.issAddress(3, 0, 12, 11, 1);
    static final long ICC_RPR_EL1 = SystemRegister.issAddress(3, 0, 12, 11, 3);
    static final long ICC_AP1R0_EL1 = SystemRegister.issAddress(3, 0, 12, 9, 0);

    private final TreeSet<Integer> pending = new TreeSet<>();
    private final TreeSet<Integer> active = new TreeSet<>();
    private long pmr;
    private long bpr1;
    private long ctlr;
    private long sre = 0x7;
    private long igrpen1;
    private long ap1r0;

    /**
     * {@return whether this model answers the register at an ISS-format address}
     *
     * @param address an ISS-format system-register address
     */
    static boolean handles(long address) {
        return address == ICC_PMR_EL1 || address == ICC_IAR1_EL1 || address == ICC_EOIR1_EL1
                || address == ICC_HPPIR1_EL1 || address == ICC_BPR1_EL1 || address == ICC_CTLR_EL1
                || address == ICC_SRE_EL1 || address == ICC_IGRPEN1_EL1 || address == ICC_DIR_EL1
                || address == ICC_RPR_EL1 || address == ICC_AP1R0_EL1;
    }

    /** @param intid an interrupt id to make pending */
    void pend(int intid) {
        pending.add(intid);
    }

    /** @param intid an interrupt id whose level dropped before it was acknowledged */
    void unpend(int intid) {
        pending.remove(intid);
    }

    /** {@return whether the IRQ line is asserted: an id is pending and none is active} */
    boolean signalled() {
        return !pending.isEmpty() && active.isEmpty();
    }

    /** {@return whether an id is pending} */
    boolean isPending(int intid) {
        return pending.contains(intid);
    }

    /** {@return whether an id is active} */
    boolean isActive(int intid) {
        return active.contains(intid);
    }

    /**
     * Reads a register ({@link #handles} must be true).
     *
     * @param address the ISS-format address
     * @return the value
     */
    long read(long address) {
        if (address == ICC_IAR1_EL1) {
            if (!signalled()) {
                return SPURIOUS;
            }
            int intid = pending.pollFirst();
            active.add(intid);
            return intid & 0xFFFF_FFFFL;
        } else if (address == ICC_HPPIR1_EL1) {
            return signalled() ? pending.first() & 0xFFFF_FFFFL : SPURIOUS;
        } else if (address == ICC_RPR_EL1) {
            return active.isEmpty() ? 0xFF : 0;
        } else if (address == ICC_PMR_EL1) {
            return pmr;
        } else if (address == ICC_BPR1_EL1) {
            return bpr1;
        } else if (address == ICC_CTLR_EL1) {
            return ctlr;
        } else if (address == ICC_SRE_EL1) {
            return sre;
        } else if (address == ICC_IGRPEN1_EL1) {
            return igrpen1;
        } else if (address == ICC_AP1R0_EL1) {
            return ap1r0;
        }
        return 0; // write-only registers (EOIR1, DIR) read as 0
    }

    /**
     * Writes a register ({@link #handles} must be true).
     *
     * @param address the ISS-format address
     * @param value the value
     */
    void write(long address, long value) {
        if (address == ICC_EOIR1_EL1 || address == ICC_DIR_EL1) {
            active.remove((int) (value & 0xFF_FFFF)); // INTID, bits 23:0
        } else if (address == ICC_PMR_EL1) {
            pmr = value & 0xFF;
        } else if (address == ICC_BPR1_EL1) {
            bpr1 = value & 7;
        } else if (address == ICC_CTLR_EL1) {
            ctlr = value;
        } else if (address == ICC_SRE_EL1) {
            sre = value | 1;
        } else if (address == ICC_IGRPEN1_EL1) {
            igrpen1 = value & 1;
        } else if (address == ICC_AP1R0_EL1) {
            ap1r0 = value;
        }
        // IAR1, HPPIR1, RPR are read-only: writes are ignored.
    }
}
