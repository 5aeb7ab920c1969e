package org.vcpu4j.spi.aarch64;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.vcpu4j.api.InterruptControllerConfig;
import org.vcpu4j.api.InterruptControllerState;
import org.vcpu4j.spi.InterruptControllerBackend;

/**
 * A GICv3 (Arm IHI 0069H) in user space, for backends without an in-kernel one (the emulator; HVF
 * before macOS 15): the distributor, one redistributor per vCPU and the system-register CPU interface.
 * Single security state (GICD_CTLR.DS = 1, as QEMU virt without EL3), affinity routing always on
 * (GICD_CTLR.ARE RAO/WI), 5 priority bits (as QEMU's cpu interface: ICC_CTLR_EL1.PRIbits = 4), no LPIs or
 * ITS. Group 1 interrupts signal IRQ, group 0 FIQ (no EL3, DS = 1: IHI 0069H 4.6).
 *
 * <p>Threads: one lock (this object) guards every state change; device threads ({@link #setLevel}),
 * vCPU threads (MMIO, ICC_* registers, the timer's PPIs) and SGIs from other vCPUs all take it. Each
 * {@link Cpu}'s outputs are volatile fields the vCPU polls at its block boundaries, and a change
 * calls the vCPU's wake-up hook (outside no lock the caller holds but this one), so a vCPU sleeping in
 * WFI wakes up.
 */
public final class GicV3Model implements InterruptControllerBackend {
    /** ICC_IAR*_EL1 when nothing can be acknowledged. */
    public static final int SPURIOUS = 1023;
    /** The virtual timer's PPI (Arm BSA, QEMU virt {@code ARCH_TIMER_VIRT_IRQ} + 16). */
    public static final int VIRTUAL_TIMER_PPI = 27;
    /** The EL1 physical timer's PPI ({@code ARCH_TIMER_NS_EL1_IRQ} + 16). */
    public static final int PHYSICAL_TIMER_PPI = 30;

    private static final int PRIORITY_MASK = 0xF8; // 5 implemented bits (IHI 0069H 4.8)
    private static final int MIN_BPR0 = 2; // 7 - 5 priority bits, as QEMU icc_min_bpr
    private static final int MAX_INTID = 1020;

    // IHI 0069H 12.9, distributor register map
    private static final int GICD_CTLR = 0x0000;
    private static final int GICD_TYPER = 0x0004;
    private static final int GICD_IIDR = 0x0008;
    private static final int GICD_IGROUPR = 0x0080;
    private static final int GICD_ISENABLER = 0x0100;
    private static final int GICD_ICENABLER = 0x0180;
    private static final int GICD_ISPENDR = 0x0200;
    private static final int GICD_ICPENDR = 0x0280;
    private static final int GICD_ISACTIVER = 0x0300;
    private static final int GICD_ICACTIVER = 0x0380;
    private static final int GICD_IPRIORITYR = 0x0400;
    private static final int GICD_ICFGR = 0x0C00;
    private static final int GICD_IROUTER = 0x6000;
    private static final int PIDR2 = 0xFFE8;
    private static final int CTLR_ENABLE_GRP0 = 1;
    private static final int CTLR_ENABLE_GRP1 = 2;
    private static final int CTLR_ARE_DS = 1 << 4 | 1 << 6; // RAO/WI
    private static final int IIDR_ARM = 0x43B;
    private static final int PIDR2_GICV3 = 0x3B; // ArchRev 3, JEP106 0x3B (Arm)

    // IHI 0069H 12.10, redistributor: RD_base frame, SGI_base frame at +64 KiB
    private static final int GICR_CTLR = 0x0000;
    private static final int GICR_IIDR = 0x0004;
    private static final int GICR_TYPER = 0x0008;
    private static final int GICR_WAKER = 0x0014;
    private static final int SGI_BASE = 0x1_0000;
    private static final int WAKER_PROCESSOR_SLEEP = 2;
    private static final int WAKER_CHILDREN_ASLEEP = 4;

    // ICC_* system registers: 16-bit op0:op1:CRn:CRm:op2 keys (IHI 0069H 12.2)
    /** ICC_PMR_EL1. */
    public static final int ICC_PMR = 3 << 14 | 0 << 11 | 4 << 7 | 6 << 3 | 0;
    /** ICC_IAR0_EL1. */
    public static final int ICC_IAR0 = 3 << 14 | 0 << 11 | 12 << 7 | 8 << 3 | 0;
    /** ICC_EOIR0_EL1. */
    public static final int ICC_EOIR0 = 3 << 14 | 0 << 11 | 12 << 7 | 8 << 3 | 1;
    /** ICC_HPPIR0_EL1. */
    public static final int ICC_HPPIR0 = 3 << 14 | 0 << 11 | 12 << 7 | 8 << 3 | 2;
    /** ICC_BPR0_EL1. */
    public static final int ICC_BPR0 = 3 << 14 | 0 << 11 | 12 << 7 | 8 << 3 | 3;
    /** ICC_AP0R0_EL1 (AP0R1-3 follow; RAZ/WI with 5 priority bits). */
    public static final int ICC_AP0R0 = 3 << 14 | 0 << 11 | 12 << 7 | 8 << 3 | 4;
    /** ICC_AP1R0_EL1 (AP1R1-3 follow). */
    public static final int ICC_AP1R0 = 3 << 14 | 0 << 11 | 12 << 7 | 9 << 3 | 0;
    /** ICC_DIR_EL1. */
    public static final int ICC_DIR = 3 << 14 | 0 << 11 | 12 << 7 | 11 << 3 | 1;
    /** ICC_RPR_EL1. */
    public static final int ICC_RPR = 3 << 14 | 0 << 11 | 12 << 7 | 11 << 3 | 3;
    /** ICC_SGI1R_EL1. */
    public static final int ICC_SGI1R = 3 << 14 | 0 << 11 | 12 << 7 | 11 << 3 | 5;
    /** ICC_ASGI1R_EL1. */
    public static final int ICC_ASGI1R = 3 << 14 | 0 << 11 | 12 << 7 | 11 << 3 | 6;
    /** ICC_SGI0R_EL1. */
    public static final int ICC_SGI0R = 3 << 14 | 0 << 11 | 12 << 7 | 11 << 3 | 7;
    /** ICC_IAR1_EL1. */
    public static final int ICC_IAR1 = 3 << 14 | 0 << 11 | 12 << 7 | 12 << 3 | 0;
    /** ICC_EOIR1_EL1. */
    public static final int ICC_EOIR1 = 3 << 14 | 0 << 11 | 12 << 7 | 12 << 3 | 1;
    /** ICC_HPPIR1_EL1. */
    public static final int ICC_HPPIR1 = 3 << 14 | 0 << 11 | 12 << 7 | 12 << 3 | 2;
    /** ICC_BPR1_EL1. */
    public static final int ICC_BPR1 = 3 << 14 | 0 << 11 | 12 << 7 | 12 << 3 | 3;
    /** ICC_CTLR_EL1. */
    public static final int ICC_CTLR = 3 << 14 | 0 << 11 | 12 << 7 | 12 << 3 | 4;
    /** ICC_SRE_EL1. */
    public static final int ICC_SRE = 3 << 14 | 0 << 11 | 12 << 7 | 12 << 3 | 5;
    /** ICC_IGRPEN0_EL1. */
    public static final int ICC_IGRPEN0 = 3 << 14 | 0 << 11 | 12 << 7 | 12 << 3 | 6;
    /** ICC_IGRPEN1_EL1. */
    public static final int ICC_IGRPEN1 = 3 << 14 | 0 << 11 | 12 << 7 | 12 << 3 | 7;

    /** Every ICC_* register the CPU interface implements (AP0R1-3/AP1R1-3 are absent with 5 priority bits). */
    static final Set<Integer> CPU_INTERFACE_REGISTERS = Set.of(ICC_PMR, ICC_IAR0, ICC_EOIR0, ICC_HPPIR0, ICC_BPR0,
            ICC_AP0R0, ICC_AP1R0, ICC_DIR, ICC_RPR, ICC_SGI1R, ICC_ASGI1R, ICC_SGI0R, ICC_IAR1, ICC_EOIR1,
            ICC_HPPIR1, ICC_BPR1, ICC_CTLR, ICC_SRE, ICC_IGRPEN0, ICC_IGRPEN1);

    /** ICC_CTLR_EL1: CBPR (0), EOImode (1), PMHE (6) writable; PRIbits 4, IDbits 0 (16), A3V 1 (12.2.6). */
    private static final long ICC_CTLR_WRITABLE = 1 | 2 | 1 << 6;
    private static final long ICC_CTLR_FIXED = 4L << 8 | 1L << 15;
    private static final long ICC_CTLR_CBPR = 1;
    private static final long ICC_CTLR_EOIMODE = 2;

    private final InterruptControllerConfig.GicV3 config;
    private final int interrupts; // 32 + SPIs
    // SPI state, indexed by INTID (0-31 unused: those live in each Cpu)
    private final long[] group = new long[16];
    private final long[] enabled = new long[16];
    private final long[] pendingLatch = new long[16];
    private final long[] active = new long[16];
    private final long[] level = new long[16];
    private final long[] edge = new long[16];
    private final byte[] priority = new byte[1024];
    private final long[] router = new long[1024];
    private int distributorControl;
    private final List<Cpu> cpus = new ArrayList<>();

    /**
     * Creates the distributor, with no vCPU's part yet ({@link #addCpu}).
     *
     * @param config the configuration (addresses and SPI count)
     */
    public GicV3Model(InterruptControllerConfig.GicV3 config) {
        this.config = config;
        this.interrupts = 32 + config.spiCount();
    }

    /** {@return the 16-bit key of a system register} */
    private static int key(int op0, int op1, int crn, int crm, int op2) {
        return op0 << 14 | op1 << 11 | crn << 7 | crm << 3 | op2;
    }

    /** {@return the configuration} */
    public InterruptControllerConfig.GicV3 config() {
        return config;
    }

    /**
     * Adds the redistributor and CPU interface of a vCPU.
     *
     * @param mpidr the vCPU's MPIDR_EL1 (its affinity routes SPIs and SGIs)
     * @param wake called, possibly from another thread, when the vCPU's IRQ or FIQ output rises
     * @return the vCPU's part of the GIC
     */
    public synchronized Cpu addCpu(long mpidr, Runnable wake) {
        Cpu c = new Cpu(cpus.size(), mpidr & 0xFF_00FF_FFFFL, wake);
        cpus.add(c);
        return c;
    }

    /**
     * Removes a vCPU's part (its vCPU closed): its SPIs route nowhere until one with its affinity exists.
     *
     * @param cpu the part {@link #addCpu} returned
     */
    public synchronized void removeCpu(Cpu cpu) {
        cpu.removed = true;
        update();
    }

    /** {@return one past the largest INTID this GIC has: 32 + its SPIs} */
    public int interruptLimit() {
        return interrupts;
    }

    /**
     * {@return whether a guest-physical address is one of this GIC's frames (the distributor, or a present
     * vCPU's redistributor)}
     *
     * @param address a guest-physical address
     */
    public synchronized boolean contains(long address) {
        long d = address - config.distributorBase();
        if (d >= 0 && d < InterruptControllerConfig.GicV3.DISTRIBUTOR_SIZE) {
            return true;
        }
        long r = address - config.redistributorBase();
        return r >= 0 && r < (long) cpus.size() * InterruptControllerConfig.GicV3.REDISTRIBUTOR_SIZE;
    }

    /**
     * An MMIO read of a GIC frame ({@link #contains} is true).
     *
     * @param address the address
     * @param size 1, 2, 4 or 8 bytes
     * @return the value, zero-extended
     */
    public synchronized long read(long address, int size) {
        long d = address - config.distributorBase();
        if (d >= 0 && d < InterruptControllerConfig.GicV3.DISTRIBUTOR_SIZE) {
            return readWidth((int) d, size, null);
        }
        long r = address - config.redistributorBase();
        Cpu c = cpus.get((int) (r / InterruptControllerConfig.GicV3.REDISTRIBUTOR_SIZE));
        return readWidth((int) (r % InterruptControllerConfig.GicV3.REDISTRIBUTOR_SIZE), size, c);
    }

    /**
     * An MMIO write to a GIC frame ({@link #contains} is true).
     *
     * @param address the address
     * @param size 1, 2, 4 or 8 bytes
     * @param value the data
     */
    public synchronized void write(long address, int size, long value) {
        long d = address - config.distributorBase();
        Cpu c = null;
        int offset;
        if (d >= 0 && d < InterruptControllerConfig.GicV3.DISTRIBUTOR_SIZE) {
            offset = (int) d;
        } else {
            long r = address - config.redistributorBase();
            c = cpus.get((int) (r / InterruptControllerConfig.GicV3.REDISTRIBUTOR_SIZE));
            offset = (int) (r % InterruptControllerConfig.GicV3.REDISTRIBUTOR_SIZE);
        }
        if (isPriority(offset, c)) { // IPRIORITYR is byte-accessible (12.9.?): one byte per INTID
            for (int i = 0; i < size; i++) {
                writePriorityByte(offset + i, c, (int) (value >>> (8 * i)) & 0xFF);
            }
        } else if (size == 8 && (isRouter(offset, c) || c != null && offset == GICR_TYPER)) {
            write64(offset, c, value);
        } else if (size == 8) {
            write32(offset, c, (int) value);
            write32(offset + 4, c, (int) (value >>> 32));
        } else if (size == 4) {
            if (isRouter(offset & ~7, c)) {
                long old = read64(offset & ~7, c);
                int shift = (offset & 4) * 8;
                write64(offset & ~7, c, old & ~(0xFFFF_FFFFL << shift) | (value & 0xFFFF_FFFFL) << shift);
            } else {
                write32(offset, c, (int) value);
            }
        }
        // other widths to word registers are UNPREDICTABLE (12.1.3): ignored
        update();
    }

    private long readWidth(int offset, int size, Cpu c) {
        if (isPriority(offset, c)) {
            long v = 0;
            for (int i = 0; i < size; i++) {
                v |= (long) readPriorityByte(offset + i, c) << (8 * i);
            }
            return v;
        }
        long v64 = isRouter(offset & ~7, c) || c != null && (offset & ~7) == GICR_TYPER
                ? read64(offset & ~7, c)
                : (read32(offset & ~7, c) & 0xFFFF_FFFFL) | (read32((offset & ~7) + 4, c) & 0xFFFF_FFFFL) << 32;
        long shifted = v64 >>> ((offset & 7) * 8);
        return size == 8 ? shifted : shifted & ((1L << (size * 8)) - 1);
    }

    private boolean isPriority(int offset, Cpu c) {
        return c == null ? offset >= GICD_IPRIORITYR && offset < GICD_IPRIORITYR + 1020
                : offset >= SGI_BASE + GICD_IPRIORITYR && offset < SGI_BASE + GICD_IPRIORITYR + 32;
    }

    private static boolean isRouter(int offset, Cpu c) {
        return c == null && offset >= GICD_IROUTER + 32 * 8 && offset < GICD_IROUTER + 1020 * 8;
    }

    private int readPriorityByte(int offset, Cpu c) {
        if (c != null) {
            return c.priority[offset - SGI_BASE - GICD_IPRIORITYR] & 0xFF;
        }
        int intid = offset - GICD_IPRIORITYR;
        return intid >= 32 && intid < interrupts ? priority[intid] & 0xFF : 0;
    }

    private void writePriorityByte(int offset, Cpu c, int value) {
        if (c != null) {
            c.priority[offset - SGI_BASE - GICD_IPRIORITYR] = (byte) (value & PRIORITY_MASK);
            return;
        }
        int intid = offset - GICD_IPRIORITYR;
        if (intid >= 32 && intid < interrupts) {
            priority[intid] = (byte) (value & PRIORITY_MASK);
        }
    }

    private long read64(int offset, Cpu c) {
        if (c != null) { // GICR_TYPER (12.10.33): Affinity_Value, Processor_Number, Last
            long aff = c.affinity;
            long affinityValue = (aff >>> 32 & 0xFF) << 24 | (aff & 0xFF_FFFF);
            boolean last = c.index == cpus.size() - 1;
            return affinityValue << 32 | (long) c.index << 8 | (last ? 1 << 4 : 0);
        }
        return router[(offset - GICD_IROUTER) / 8];
    }

    private void write64(int offset, Cpu c, long value) {
        if (c == null) { // GICD_IROUTER: Aff3 [39:32], IRM [31], Aff2-0 [23:0]
            router[(offset - GICD_IROUTER) / 8] = value & 0xFF_80FF_FFFFL;
        }
    }

    /** A 32-bit register read of the distributor (c null) or a redistributor. */
    private int read32(int offset, Cpu c) {
        return c == null ? readDistributor(offset) : readRedistributor(offset, c);
    }

    private int readDistributor(int offset) {
        if (offset == GICD_CTLR) {
            return distributorControl | CTLR_ARE_DS;
        } else if (offset == GICD_TYPER) {
            // ITLinesNumber [4:0], CPUNumber [7:5], IDbits [23:19] = 9 (10 bits), no LPIs, no MBIS
            return (interrupts / 32 - 1) | (Math.min(cpus.size(), 8) - 1 & 7) << 5 | 9 << 19;
        } else if (offset == GICD_IIDR) {
            return IIDR_ARM;
        } else if (offset == PIDR2) {
            return PIDR2_GICV3;
        }
        long[] bits = spiBank(offset);
        if (bits != null) {
            int word = (offset & 0x7F) / 4;
            if (word == 0 || word * 32 >= interrupts) {
                return 0; // SGIs and PPIs live in the redistributors with ARE = 1; unimplemented: RAZ
            }
            if (bits == pendingLatch) {
                return pendingWord(word);
            }
            return (int) (bits[word / 2] >>> ((word & 1) * 32));
        }
        if (offset >= GICD_ICFGR && offset < GICD_ICFGR + 0x100) {
            int first = (offset - GICD_ICFGR) * 4; // 16 INTIDs per word
            if (first < 32 || first >= interrupts) {
                return 0;
            }
            int v = 0;
            for (int i = 0; i < 16; i++) {
                v |= bit(edge, first + i) ? 2 << (2 * i) : 0;
            }
            return v;
        }
        return 0; // ITARGETSR, IGRPMODR, NSACR, SGIR ... RAZ/WI with ARE = 1 and DS = 1
    }

    private int pendingWord(int word) {
        long v = 0;
        for (int i = 0; i < 32; i++) {
            int intid = word * 32 + i;
            if (spiPending(intid)) {
                v |= 1L << i;
            }
        }
        return (int) v;
    }

    /** {@return the bank a set/clear/group register addresses, or null} */
    private long[] spiBank(int offset) {
        if (offset >= GICD_IGROUPR && offset < GICD_IGROUPR + 0x80) {
            return group;
        } else if (offset >= GICD_ISENABLER && offset < GICD_ICENABLER + 0x80) {
            return enabled;
        } else if (offset >= GICD_ISPENDR && offset < GICD_ICPENDR + 0x80) {
            return pendingLatch;
        } else if (offset >= GICD_ISACTIVER && offset < GICD_ICACTIVER + 0x80) {
            return active;
        }
        return null;
    }

    private void write32(int offset, Cpu c, int value) {
        if (c != null) {
            writeRedistributor(offset, c, value);
            return;
        }
        if (offset == GICD_CTLR) {
            distributorControl = value & (CTLR_ENABLE_GRP0 | CTLR_ENABLE_GRP1);
            return;
        }
        long[] bits = spiBank(offset);
        if (bits != null) {
            int word = (offset & 0x7F) / 4;
            if (word == 0 || word * 32 >= interrupts) {
                return;
            }
            long mask = (value & 0xFFFF_FFFFL) << ((word & 1) * 32);
            int base = offset & ~0x7F;
            if (bits == group) {
                bits[word / 2] = bits[word / 2] & ~(0xFFFF_FFFFL << ((word & 1) * 32)) | mask;
            } else if (base == GICD_ISENABLER || base == GICD_ISPENDR || base == GICD_ISACTIVER) {
                bits[word / 2] |= mask;
            } else {
                bits[word / 2] &= ~mask;
            }
            return;
        }
        if (offset >= GICD_ICFGR && offset < GICD_ICFGR + 0x100) {
            int first = (offset - GICD_ICFGR) * 4;
            for (int i = 0; i < 16 && first >= 32 && first + i < interrupts; i++) {
                setBit(edge, first + i, (value >>> (2 * i + 1) & 1) != 0);
            }
        }
    }

    private int readRedistributor(int offset, Cpu c) {
        return switch (offset) {
            case GICR_CTLR -> 0;
            case GICR_IIDR -> IIDR_ARM;
            case GICR_WAKER -> c.waker | (c.waker & WAKER_PROCESSOR_SLEEP) << 1;
            case PIDR2 -> PIDR2_GICV3;
            case SGI_BASE + GICD_IGROUPR -> c.group;
            case SGI_BASE + GICD_ISENABLER, SGI_BASE + GICD_ICENABLER -> c.enabled;
            case SGI_BASE + GICD_ISPENDR, SGI_BASE + GICD_ICPENDR -> c.pending();
            case SGI_BASE + GICD_ISACTIVER, SGI_BASE + GICD_ICACTIVER -> c.active;
            case SGI_BASE + GICD_ICFGR -> 0xAAAA_AAAA; // SGIs are edge-triggered, read-only (12.11.?)
            case SGI_BASE + GICD_ICFGR + 4 -> icfgr1(c);
            default -> 0;
        };
    }

    private static int icfgr1(Cpu c) {
        int v = 0;
        for (int i = 0; i < 16; i++) {
            v |= (c.edge >>> (16 + i) & 1) != 0 ? 2 << (2 * i) : 0;
        }
        return v;
    }

    private void writeRedistributor(int offset, Cpu c, int value) {
        switch (offset) {
            case GICR_WAKER -> c.waker = value & WAKER_PROCESSOR_SLEEP;
            case SGI_BASE + GICD_IGROUPR -> c.group = value;
            case SGI_BASE + GICD_ISENABLER -> c.enabled |= value;
            case SGI_BASE + GICD_ICENABLER -> c.enabled &= ~value;
            case SGI_BASE + GICD_ISPENDR -> c.latch |= value;
            case SGI_BASE + GICD_ICPENDR -> c.latch &= ~value;
            case SGI_BASE + GICD_ISACTIVER -> c.active |= value;
            case SGI_BASE + GICD_ICACTIVER -> c.active &= ~value;
            case SGI_BASE + GICD_ICFGR + 4 -> {
                int e = 0;
                for (int i = 0; i < 16; i++) {
                    e |= (value >>> (2 * i + 1) & 1) << (16 + i);
                }
                c.edge = 0xFFFF | e;
            }
            default -> { } // RO or RAZ/WI
        }
    }

    // ------------------------------------------------------------------ lines

    @Override
    public synchronized void setLevel(int line, boolean high) {
        if (line < 32 || line >= interrupts) {
            throw new IllegalArgumentException("SPI INTID " + line + " is not in 32.." + (interrupts - 1));
        }
        boolean was = bit(level, line);
        setBit(level, line, high);
        if (high && !was && bit(edge, line)) {
            setBit(pendingLatch, line, true); // a rising edge latches an edge-triggered SPI (4.1.1)
        }
        update();
    }

    @Override
    public synchronized void pulse(int line) {
        if (line < 32 || line >= interrupts) {
            throw new IllegalArgumentException("SPI INTID " + line + " is not in 32.." + (interrupts - 1));
        }
        if (bit(edge, line)) {
            setBit(pendingLatch, line, true);
        } else if (!bit(level, line)) {
            // a level-sensitive SPI sees a short high level: QEMU latches nothing, the GIC samples it;
            // pend it once so the pulse is not lost
            setBit(pendingLatch, line, true);
        }
        update();
    }

    private boolean spiPending(int intid) {
        return bit(pendingLatch, intid) || bit(level, intid) && !bit(edge, intid);
    }

    // ------------------------------------------------------------------ delivery

    /** Recomputes every CPU's highest-priority pending interrupt and outputs; called with the lock held. */
    private void update() {
        for (Cpu c : cpus) {
            c.best = SPURIOUS;
            c.bestPriority = 0x100;
        }
        for (Cpu c : cpus) {
            if (c.removed) {
                continue;
            }
            int pend = c.pending() & c.enabled & ~c.active;
            for (int i = 0; i < 32; i++) {
                if ((pend >>> i & 1) != 0 && groupEnabledAtDistributor((c.group >>> i & 1) != 0)) {
                    offer(c, i, c.priority[i] & 0xFF);
                }
            }
        }
        for (int w = 0; w < 16; w++) {
            long candidates = (pendingLatch[w] | level[w] & ~edge[w]) & enabled[w] & ~active[w];
            if (w == 0) {
                candidates &= ~0xFFFF_FFFFL;
            }
            while (candidates != 0) {
                int intid = w * 64 + Long.numberOfTrailingZeros(candidates);
                candidates &= candidates - 1;
                if (intid >= interrupts || !groupEnabledAtDistributor(bit(group, intid))) {
                    continue;
                }
                Cpu target = routeOf(intid);
                if (target != null) {
                    offer(target, intid, priority[intid] & 0xFF);
                }
            }
        }
        for (Cpu c : cpus) {
            c.publish();
        }
    }

    private boolean groupEnabledAtDistributor(boolean group1) {
        return (distributorControl & (group1 ? CTLR_ENABLE_GRP1 : CTLR_ENABLE_GRP0)) != 0;
    }

    private static void offer(Cpu c, int intid, int prio) {
        if (prio < c.bestPriority || prio == c.bestPriority && intid < c.best) {
            c.best = intid;
            c.bestPriority = prio;
        }
    }

    /** GICD_IROUTER (12.9.22): IRM = 1 routes to any PE (here the first present one), else by affinity. */
    private Cpu routeOf(int intid) {
        long r = router[intid];
        for (Cpu c : cpus) {
            if (!c.removed && ((r & 1L << 31) != 0 || (r & 0xFF_00FF_FFFFL) == c.affinity)) {
                return c;
            }
        }
        return null;
    }

    private boolean isGroup1(Cpu c, int intid) {
        return intid < 32 ? (c.group >>> intid & 1) != 0 : bit(group, intid);
    }

    private int priorityOf(Cpu c, int intid) {
        return (intid < 32 ? c.priority[intid] : priority[intid]) & 0xFF;
    }

    // ------------------------------------------------------------------ SGIs

    /**
     * Generates an SGI from an ICC_SGI1R/ASGI1R/SGI0R_EL1 write (IHI 0069H 12.2.21): TargetList [15:0],
     * Aff1 [23:16], INTID [27:24], Aff2 [39:32], IRM [40], RS [47:44], Aff3 [55:48].
     */
    private void sendSgi(Cpu from, long value, boolean group1Register) {
        int intid = (int) (value >>> 24) & 0xF;
        boolean allButSelf = (value >>> 40 & 1) != 0;
        long aff321 = (value >>> 48 & 0xFF) << 32 | (value >>> 32 & 0xFF) << 16 | (value >>> 16 & 0xFF) << 8;
        int rangeSelector = (int) (value >>> 44) & 0xF;
        int targets = (int) value & 0xFFFF;
        for (Cpu c : cpus) {
            boolean hit = allButSelf ? c != from
                    : (c.affinity & ~0xFFL) == aff321 && (c.affinity & 0xF0) == rangeSelector << 4
                      && (targets >>> (c.affinity & 0xF) & 1) != 0;
            // with DS = 1, SGI0R generates group 0 SGIs only; SGI1R either group (KVM vgic_v3_dispatch_sgi)
            if (hit && !c.removed && (group1Register || (c.group >>> intid & 1) == 0)) {
                c.latch |= 1 << intid;
            }
        }
        update();
    }

    // ------------------------------------------------------------------ state

    @Override
    public synchronized InterruptControllerState saveState() {
        Map<Integer, Long> regs = new HashMap<>();
        regs.put(GICD_CTLR, (long) distributorControl);
        for (int word = 1; word * 32 < interrupts; word++) {
            regs.put(GICD_IGROUPR + 4 * word, word32(group, word));
            regs.put(GICD_ISENABLER + 4 * word, word32(enabled, word));
            regs.put(GICD_ISPENDR + 4 * word, word32(pendingLatch, word));
            regs.put(GICD_ISACTIVER + 4 * word, word32(active, word));
        }
        for (int intid = 32; intid < interrupts; intid += 4) {
            long v = 0;
            for (int i = 0; i < 4; i++) {
                v |= (long) (priority[intid + i] & 0xFF) << (8 * i);
            }
            regs.put(GICD_IPRIORITYR + intid, v);
            regs.put(GICD_IROUTER + 8 * intid, router[intid]);
            regs.put(GICD_IROUTER + 8 * (intid + 1), router[intid + 1]);
            regs.put(GICD_IROUTER + 8 * (intid + 2), router[intid + 2]);
            regs.put(GICD_IROUTER + 8 * (intid + 3), router[intid + 3]);
        }
        for (int intid = 32; intid < interrupts; intid += 16) {
            regs.put(GICD_ICFGR + intid / 4, (long) readDistributor(GICD_ICFGR + intid / 4) & 0xFFFF_FFFFL);
        }
        Set<Integer> high = new TreeSet<>();
        for (int intid = 32; intid < interrupts; intid++) {
            if (bit(level, intid)) {
                high.add(intid);
            }
        }
        return new InterruptControllerState(config, regs, high);
    }

    @Override
    public synchronized void restoreState(InterruptControllerState state) {
        Map<Integer, Long> regs = state.registers();
        distributorControl = (int) (long) regs.getOrDefault(GICD_CTLR, 0L) & (CTLR_ENABLE_GRP0 | CTLR_ENABLE_GRP1);
        java.util.Arrays.fill(level, 0);
        for (int word = 1; word * 32 < interrupts; word++) {
            setWord32(group, word, regs.getOrDefault(GICD_IGROUPR + 4 * word, 0L));
            setWord32(enabled, word, regs.getOrDefault(GICD_ISENABLER + 4 * word, 0L));
            setWord32(pendingLatch, word, regs.getOrDefault(GICD_ISPENDR + 4 * word, 0L));
            setWord32(active, word, regs.getOrDefault(GICD_ISACTIVER + 4 * word, 0L));
        }
        for (int intid = 32; intid < interrupts; intid++) {
            long p = regs.getOrDefault(GICD_IPRIORITYR + (intid & ~3), 0L);
            priority[intid] = (byte) (p >>> (8 * (intid & 3)) & PRIORITY_MASK);
            router[intid] = regs.getOrDefault(GICD_IROUTER + 8 * intid, 0L) & 0xFF_80FF_FFFFL;
            long cfg = regs.getOrDefault(GICD_ICFGR + (intid / 16) * 4, 0L);
            setBit(edge, intid, (cfg >>> (2 * (intid % 16) + 1) & 1) != 0);
        }
        for (int line : state.levels()) {
            setBit(level, line, true);
        }
        update();
    }

    private static long word32(long[] bits, int word) {
        return bits[word / 2] >>> ((word & 1) * 32) & 0xFFFF_FFFFL;
    }

    private static void setWord32(long[] bits, int word, long value) {
        int shift = (word & 1) * 32;
        bits[word / 2] = bits[word / 2] & ~(0xFFFF_FFFFL << shift) | (value & 0xFFFF_FFFFL) << shift;
    }

    private static boolean bit(long[] bits, int i) {
        return (bits[i >>> 6] >>> (i & 63) & 1) != 0;
    }

    private static void setBit(long[] bits, int i, boolean value) {
        if (value) {
            bits[i >>> 6] |= 1L << (i & 63);
        } else {
            bits[i >>> 6] &= ~(1L << (i & 63));
        }
    }

    /**
     * One vCPU's redistributor and CPU interface. Its {@link #irq()} and {@link #fiq()} outputs are read
     * without the lock; everything else takes the GIC's lock.
     */
    public final class Cpu {
        private final int index;
        private final long affinity;
        private final Runnable wake;
        private boolean removed;
        // redistributor (SGI_base frame): bit n = INTID n
        private int group;
        private int enabled;
        private int latch;
        private int active;
        private int levels;
        private int edge = 0xFFFF; // SGIs always edge; PPIs level at reset (ICFGR1 = 0)
        private final byte[] priority = new byte[32];
        private int waker = WAKER_PROCESSOR_SLEEP;
        // CPU interface
        private long pmr;
        private long bpr0 = MIN_BPR0;
        private long bpr1 = MIN_BPR0 + 1;
        private long ctlr;
        private long igrpen0;
        private long igrpen1;
        private long ap0r0;
        private long ap1r0;
        // highest-priority pending interrupt, from update()
        private int best = SPURIOUS;
        private int bestPriority = 0x100;
        private volatile boolean irq;
        private volatile boolean fiq;

        private Cpu(int index, long affinity, Runnable wake) {
            this.index = index;
            this.affinity = affinity;
            this.wake = wake;
        }

        /** {@return whether the IRQ output is asserted (a group 1 interrupt can preempt); lock-free} */
        public boolean irq() {
            return irq;
        }

        /** {@return whether the FIQ output is asserted (a group 0 interrupt can preempt); lock-free} */
        public boolean fiq() {
            return fiq;
        }

        private int pending() {
            return latch | levels & ~edge;
        }

        /**
         * Sets the level of one of this vCPU's PPIs (16-31), e.g. the timer's output.
         *
         * @param intid the PPI
         * @param high the level
         */
        public void setPpiLevel(int intid, boolean high) {
            synchronized (GicV3Model.this) {
                int bit = 1 << intid;
                boolean was = (levels & bit) != 0;
                levels = high ? levels | bit : levels & ~bit;
                if (high && !was && (edge & bit) != 0) {
                    latch |= bit;
                }
                update();
            }
        }

        /**
         * Makes a private or shared interrupt pending as if software wrote its ISPENDR bit (what {@code
         * VCpu.injectInterrupt} does on a VM with a GIC).
         *
         * @param intid 0-1019
         */
        public void pend(int intid) {
            synchronized (GicV3Model.this) {
                if (intid < 32) {
                    latch |= 1 << intid;
                } else if (intid < interrupts) {
                    setBit(pendingLatch, intid, true);
                }
                update();
            }
        }

        /** Publishes the outputs from the HPPI; calls the wake hook on a rising output. */
        private void publish() {
            boolean canSignal = best != SPURIOUS && canPreempt(best, bestPriority);
            boolean g1 = canSignal && isGroup1(this, best);
            boolean newIrq = canSignal && g1 && (igrpen1 & 1) != 0;
            boolean newFiq = canSignal && !g1 && (igrpen0 & 1) != 0;
            boolean rose = newIrq && !irq || newFiq && !fiq;
            irq = newIrq;
            fiq = newFiq;
            if (rose) {
                wake.run();
            }
        }

        /** IHI 0069H 4.8: below PMR, and a group priority above the running priority. */
        private boolean canPreempt(int intid, int prio) {
            if (prio >= pmr) {
                return false;
            }
            int running = runningPriority();
            if (running == 0xFF) {
                return true;
            }
            int mask = groupPriorityMask(isGroup1(this, intid));
            return (prio & mask) < (running & mask);
        }

        /** GroupBits(): BPR0 for group 0 (and group 1 with CBPR); BPR1 - 1 for group 1 (DS = 1). */
        private int groupPriorityMask(boolean group1) {
            int bpr = !group1 || (ctlr & ICC_CTLR_CBPR) != 0 ? (int) bpr0 : (int) bpr1 - 1;
            return (0xFF << (bpr + 1)) & 0xFF;
        }

        /** ICC_RPR_EL1: the priority of the highest active priority bit in AP0R0/AP1R0, or 0xFF. */
        private int runningPriority() {
            long apr = (ap0r0 | ap1r0) & 0xFFFF_FFFFL;
            return apr == 0 ? 0xFF : Long.numberOfTrailingZeros(apr) << 3;
        }

        private long acknowledge(boolean group1) {
            int intid = best;
            if (intid == SPURIOUS || isGroup1(this, intid) != group1 || !canPreempt(intid, bestPriority)
                    || ((group1 ? igrpen1 : igrpen0) & 1) == 0) {
                return SPURIOUS;
            }
            int prio = priorityOf(this, intid);
            if (intid < 32) {
                latch &= ~(1 << intid);
                active |= 1 << intid;
            } else {
                setBit(pendingLatch, intid, false);
                setBit(GicV3Model.this.active, intid, true);
            }
            int aprBit = (prio & groupPriorityMask(group1)) >>> 3;
            if (group1) {
                ap1r0 |= 1L << aprBit;
            } else {
                ap0r0 |= 1L << aprBit;
            }
            update();
            return intid;
        }

        private void endOfInterrupt(long value, boolean group1) {
            long apr = (ap0r0 | ap1r0) & 0xFFFF_FFFFL;
            if (apr == 0) {
                return; // no active priority: ignored (QEMU icc_eoir_write)
            }
            long lowest = Long.lowestOneBit(apr);
            boolean activeGroup1 = (ap1r0 & lowest) != 0;
            if (activeGroup1 != group1) {
                return;
            }
            if (group1) {
                ap1r0 &= ~lowest;
            } else {
                ap0r0 &= ~lowest;
            }
            if ((ctlr & ICC_CTLR_EOIMODE) == 0) {
                deactivate((int) value & 0xFF_FFFF);
            }
            update();
        }

        private void deactivate(int intid) {
            if (intid < 32) {
                active &= ~(1 << intid);
            } else if (intid < interrupts) {
                setBit(GicV3Model.this.active, intid, false);
            }
        }

        /**
         * {@return whether a system register is this CPU interface's}
         *
         * @param key the 16-bit {@code op0:op1:CRn:CRm:op2}
         */
        public static boolean handles(int key) {
            return CPU_INTERFACE_REGISTERS.contains(key);
        }

        /**
         * Reads an ICC_* register ({@link #handles} true).
         *
         * @param key the register
         * @return the value (write-only registers read 0)
         */
        public long readRegister(int key) {
            synchronized (GicV3Model.this) {
                return switch (key) {
                    case ICC_PMR -> pmr;
                    case ICC_IAR1 -> acknowledge(true);
                    case ICC_IAR0 -> acknowledge(false);
                    case ICC_HPPIR1 -> best != SPURIOUS && isGroup1(this, best) ? best : SPURIOUS;
                    case ICC_HPPIR0 -> best != SPURIOUS && !isGroup1(this, best) ? best : SPURIOUS;
                    case ICC_BPR0 -> bpr0;
                    case ICC_BPR1 -> (ctlr & ICC_CTLR_CBPR) != 0 ? Math.min(bpr0 + 1, 7) : bpr1;
                    case ICC_CTLR -> ctlr | ICC_CTLR_FIXED;
                    case ICC_SRE -> 7; // SRE, DFB, DIB RAO/WI: system-register access only
                    case ICC_IGRPEN0 -> igrpen0;
                    case ICC_IGRPEN1 -> igrpen1;
                    case ICC_AP0R0 -> ap0r0;
                    case ICC_AP1R0 -> ap1r0;
                    case ICC_RPR -> runningPriority();
                    default -> 0;
                };
            }
        }

        /**
         * Writes an ICC_* register ({@link #handles} true).
         *
         * @param key the register
         * @param value the value
         */
        public void writeRegister(int key, long value) {
            synchronized (GicV3Model.this) {
                switch (key) {
                    case ICC_PMR -> pmr = value & PRIORITY_MASK;
                    case ICC_EOIR1 -> endOfInterrupt(value, true);
                    case ICC_EOIR0 -> endOfInterrupt(value, false);
                    case ICC_DIR -> deactivate((int) value & 0xFF_FFFF);
                    case ICC_BPR0 -> bpr0 = Math.max(MIN_BPR0, value & 7);
                    case ICC_BPR1 -> {
                        if ((ctlr & ICC_CTLR_CBPR) == 0) {
                            bpr1 = Math.max(MIN_BPR0 + 1, value & 7);
                        }
                    }
                    case ICC_CTLR -> ctlr = value & ICC_CTLR_WRITABLE;
                    case ICC_IGRPEN0 -> igrpen0 = value & 1;
                    case ICC_IGRPEN1 -> igrpen1 = value & 1;
                    case ICC_AP0R0 -> ap0r0 = value & 0xFFFF_FFFFL;
                    case ICC_AP1R0 -> ap1r0 = value & 0xFFFF_FFFFL;
                    case ICC_SGI1R, ICC_ASGI1R -> sendSgi(this, value, true);
                    case ICC_SGI0R -> sendSgi(this, value, false);
                    default -> { } // read-only registers: writes ignored
                }
                update();
            }
        }

        /** {@return the redistributor registers by offset (see {@code Aarch64State.gicRedistributor()})} */
        public Map<Integer, Long> saveRedistributor() {
            synchronized (GicV3Model.this) {
                Map<Integer, Long> m = new HashMap<>();
                m.put(GICR_WAKER, (long) waker);
                m.put(SGI_BASE + GICD_IGROUPR, group & 0xFFFF_FFFFL);
                m.put(SGI_BASE + GICD_ISENABLER, enabled & 0xFFFF_FFFFL);
                m.put(SGI_BASE + GICD_ISPENDR, latch & 0xFFFF_FFFFL);
                m.put(SGI_BASE + GICD_ISACTIVER, active & 0xFFFF_FFFFL);
                m.put(SGI_BASE + GICD_ICFGR + 4, icfgr1(this) & 0xFFFF_FFFFL);
                for (int i = 0; i < 32; i += 4) {
                    long v = 0;
                    for (int b = 0; b < 4; b++) {
                        v |= (long) (priority[i + b] & 0xFF) << (8 * b);
                    }
                    m.put(SGI_BASE + GICD_IPRIORITYR + i, v);
                }
                return m;
            }
        }

        /** {@return the CPU-interface registers by key (see {@code Aarch64State.gicCpuInterface()})} */
        public Map<Integer, Long> saveCpuInterface() {
            synchronized (GicV3Model.this) {
                return Map.of(ICC_PMR, pmr, ICC_BPR0, bpr0, ICC_BPR1, bpr1, ICC_CTLR, ctlr,
                        ICC_IGRPEN0, igrpen0, ICC_IGRPEN1, igrpen1, ICC_AP0R0, ap0r0, ICC_AP1R0, ap1r0);
            }
        }

        /**
         * Restores this vCPU's part; an empty map leaves the reset values.
         *
         * @param redistributor as {@link #saveRedistributor}
         * @param cpuInterface as {@link #saveCpuInterface}
         */
        public void restore(Map<Integer, Long> redistributor, Map<Integer, Long> cpuInterface) {
            synchronized (GicV3Model.this) {
                waker = (int) (long) redistributor.getOrDefault(GICR_WAKER, (long) WAKER_PROCESSOR_SLEEP)
                        & WAKER_PROCESSOR_SLEEP;
                group = (int) (long) redistributor.getOrDefault(SGI_BASE + GICD_IGROUPR, 0L);
                enabled = (int) (long) redistributor.getOrDefault(SGI_BASE + GICD_ISENABLER, 0L);
                latch = (int) (long) redistributor.getOrDefault(SGI_BASE + GICD_ISPENDR, 0L);
                active = (int) (long) redistributor.getOrDefault(SGI_BASE + GICD_ISACTIVER, 0L);
                writeRedistributor(SGI_BASE + GICD_ICFGR + 4, this,
                        (int) (long) redistributor.getOrDefault(SGI_BASE + GICD_ICFGR + 4, 0L));
                for (int i = 0; i < 32; i++) {
                    long v = redistributor.getOrDefault(SGI_BASE + GICD_IPRIORITYR + (i & ~3), 0L);
                    priority[i] = (byte) (v >>> (8 * (i & 3)) & PRIORITY_MASK);
                }
                pmr = cpuInterface.getOrDefault(ICC_PMR, 0L) & PRIORITY_MASK;
                bpr0 = Math.max(MIN_BPR0, cpuInterface.getOrDefault(ICC_BPR0, (long) MIN_BPR0) & 7);
                bpr1 = Math.max(MIN_BPR0 + 1, cpuInterface.getOrDefault(ICC_BPR1, (long) MIN_BPR0 + 1) & 7);
                ctlr = cpuInterface.getOrDefault(ICC_CTLR, 0L) & ICC_CTLR_WRITABLE;
                igrpen0 = cpuInterface.getOrDefault(ICC_IGRPEN0, 0L) & 1;
                igrpen1 = cpuInterface.getOrDefault(ICC_IGRPEN1, 0L) & 1;
                ap0r0 = cpuInterface.getOrDefault(ICC_AP0R0, 0L) & 0xFFFF_FFFFL;
                ap1r0 = cpuInterface.getOrDefault(ICC_AP1R0, 0L) & 0xFFFF_FFFFL;
                update();
            }
        }
    }
}
