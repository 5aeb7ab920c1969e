package org.vcpu4j.tck.internal;

import org.vcpu4j.api.InterruptControllerConfig;
import org.vcpu4j.tck.asm.A64;
import org.vcpu4j.tck.asm.A64SysReg;

/**
 * The A64 code with which the interrupt rules' guests program the GICv3 of {@link A64Kit}'s interrupt
 * controller (QEMU virt's frames), as a guest OS does: register offsets from the GICv3 architecture
 * specification (IHI 0069), chapter 12 (GICD_*, GICR_*) and the ICC_* system registers of its CPU
 * interface. Every routine uses only X1 and X2.
 */
final class GicGuest {
    static final long GICD = InterruptControllerConfig.GicV3.QEMU_VIRT_DISTRIBUTOR;
    static final long GICR = InterruptControllerConfig.GicV3.QEMU_VIRT_REDISTRIBUTOR;
    /** The SGI_base frame of redistributor 0 (RD_base + 64 KiB). */
    static final long GICR_SGI = GICR + 0x1_0000;

    /** ICC_IAR1_EL1: acknowledge a group 1 interrupt (IHI 0069 12.2.14). */
    static final A64SysReg IAR1 = new A64SysReg(3, 0, 12, 12, 0);
    /** ICC_EOIR1_EL1: end of interrupt (12.2.10). */
    static final A64SysReg EOIR1 = new A64SysReg(3, 0, 12, 12, 1);
    /** ICC_PMR_EL1: priority mask (12.2.19). */
    static final A64SysReg PMR = new A64SysReg(3, 0, 4, 6, 0);
    /** ICC_SGI1R_EL1: generate a group 1 SGI (12.2.23). */
    static final A64SysReg SGI1R = new A64SysReg(3, 0, 12, 11, 5);
    /** ICC_IGRPEN1_EL1: group 1 enable (12.2.16). */
    static final A64SysReg IGRPEN1 = new A64SysReg(3, 0, 12, 12, 7);

    private static final int X1 = 1;
    private static final int X2 = 2;

    private GicGuest() {}

    /**
     * {@return the distributor on with affinity routing (GICD_CTLR.ARE = bit 4, EnableGrp1 = bit 1, then
     * polling RWP, bit 31), redistributor 0 awake (GICR_WAKER.ProcessorSleep = 0, polling ChildrenAsleep),
     * its SGIs and PPIs in group 1 (GICR_IGROUPR0 = all ones), the priority mask at {@code pmr} and group 1
     * signalled to the PE (ICC_IGRPEN1_EL1 = 1)}
     *
     * @param pmr the initial ICC_PMR_EL1
     */
    static int[] enable(int pmr) {
        return A64.concat(
                base(GICD), new int[] {A64.movz(X2, 0x12, 0), A64.strW(X2, X1, 0x0),
                    A64.ldrW(X2, X1, 0x0), A64.tbnzW(X2, 31, -4)},
                enableRedistributor(0, pmr));
    }

    /**
     * {@return redistributor {@code cpu} (the frames of QEMU virt's redistributor region are 128 KiB each, in
     * vCPU order) awake with its SGIs and PPIs in group 1, and this PE's CPU interface as {@link #enable}
     * leaves it}
     *
     * @param cpu the redistributor's index (the vCPU that runs the code)
     * @param pmr the initial ICC_PMR_EL1
     */
    static int[] enableRedistributor(int cpu, int pmr) {
        long rd = GICR + (long) cpu * InterruptControllerConfig.GicV3.REDISTRIBUTOR_SIZE;
        return A64.concat(
                base(rd), new int[] {A64.strW(A64.ZR, X1, 0x14), A64.ldrW(X2, X1, 0x14), A64.tbnzW(X2, 2, -4)},
                base(rd + 0x1_0000), allOnes(), new int[] {A64.strW(X2, X1, 0x80),
                    A64.movz(X2, pmr, 0), PMR.msr(X2), A64.movz(X2, 1, 0), IGRPEN1.msr(X2), A64.isb()});
    }

    /**
     * {@return GICD_IROUTER&lt;n&gt; of {@code spi} = affinity 0.0.0.{@code aff0} (Interrupt_Routing_Mode 0)}
     *
     * @param spi the SPI
     * @param aff0 the target's Aff0
     */
    static int[] routeSpi(int spi, int aff0) {
        return A64.concat(base(GICD), new int[] {A64.movz(X2, aff0, 0), A64.strX(X2, X1, 0x6000 + 8 * spi)});
    }

    /**
     * {@return SPI {@code intid} in group 1 (GICD_IGROUPR&lt;n&gt;, 0x80), at {@code priority}
     * (GICD_IPRIORITYR byte, 0x400 + intid), routed to affinity 0.0.0.0 (GICD_IROUTER&lt;n&gt;, 0x6000 + 8
     * intid, Interrupt_Routing_Mode 0), level-sensitive (the reset GICD_ICFGR) and enabled (GICD_ISENABLER,
     * 0x100); the group register is written all ones, every SPI of its word in group 1}
     *
     * @param intid 32..1019
     * @param priority 0..255
     */
    static int[] spi(int intid, int priority) {
        int word = 4 * (intid / 32);
        return A64.concat(base(GICD), allOnes(), new int[] {
            A64.strW(X2, X1, 0x80 + word),
            A64.movz(X2, priority, 0), A64.strB(X2, X1, 0x400 + intid),
            A64.strX(A64.ZR, X1, 0x6000 + 8 * intid),
            A64.movz(X2, 1 << (intid % 32) & 0xFFFF, 0), A64.movk(X2, 1 << (intid % 32) >>> 16, 1),
            A64.strW(X2, X1, 0x100 + word)});
    }

    /**
     * {@return PPI or SGI {@code intid} of redistributor 0 at {@code priority} (GICR_IPRIORITYR, SGI_base +
     * 0x400 + intid) and enabled (GICR_ISENABLER0, SGI_base + 0x100); {@link #enable} put it in group 1}
     *
     * @param intid 0..31
     * @param priority 0..255
     */
    static int[] privateInterrupt(int intid, int priority) {
        return privateInterrupt(0, intid, priority);
    }

    /**
     * {@return as {@link #privateInterrupt(int, int)}, on redistributor {@code cpu}}
     *
     * @param cpu the redistributor's index
     * @param intid 0..31
     * @param priority 0..255
     */
    static int[] privateInterrupt(int cpu, int intid, int priority) {
        long sgiBase = GICR + (long) cpu * InterruptControllerConfig.GicV3.REDISTRIBUTOR_SIZE + 0x1_0000;
        return A64.concat(base(sgiBase), new int[] {
            A64.movz(X2, priority, 0), A64.strB(X2, X1, 0x400 + intid),
            A64.movz(X2, 1 << intid & 0xFFFF, 0), A64.movk(X2, 1 << intid >>> 16, 1),
            A64.strW(X2, X1, 0x100)});
    }

    /** X1 = a frame's base address (below 4 GiB, 64 KiB aligned). */
    private static int[] base(long address) {
        return new int[] {A64.movz(X1, (int) (address >>> 16), 1)};
    }

    private static int[] allOnes() {
        return new int[] {A64.movz(X2, 0xFFFF, 0), A64.movk(X2, 0xFFFF, 1)};
    }
}
