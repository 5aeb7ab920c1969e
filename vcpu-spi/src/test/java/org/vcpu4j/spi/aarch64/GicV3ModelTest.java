package org.vcpu4j.spi.aarch64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.vcpu4j.api.InterruptControllerConfig;
import org.vcpu4j.api.InterruptControllerState;

/** The GICv3 model's delivery rules (Arm IHI 0069H chapter 4) through its MMIO and ICC_* interfaces. */
class GicV3ModelTest {
    private static final long GICD = 0x0800_0000L;
    private static final long GICR = 0x080A_0000L;
    private static final long SGI = 0x1_0000L;
    private static final int SPI = 40;

    private final GicV3Model gic = new GicV3Model(InterruptControllerConfig.qemuVirtGicV3());
    private final AtomicInteger wakes0 = new AtomicInteger();
    private final GicV3Model.Cpu cpu0 = gic.addCpu(0x8000_0000L, wakes0::incrementAndGet);
    private final GicV3Model.Cpu cpu1 = gic.addCpu(0x8000_0001L, () -> { });

    /** Distributor on for group 1, both CPU interfaces open, the SPI group 1, enabled, routed to cpu0. */
    private void setUpSpi(int intid, int priority, long affinity) {
        gic.write(GICD, 4, 0x12);
        gic.write(GICD + 0x80 + 4 * (intid / 32), 4, gic.read(GICD + 0x80 + 4 * (intid / 32), 4) | 1L << (intid % 32));
        gic.write(GICD + 0x400 + intid, 1, priority);
        gic.write(GICD + 0x6000 + 8L * intid, 8, affinity);
        gic.write(GICD + 0x100 + 4 * (intid / 32), 4, 1L << (intid % 32));
        for (GicV3Model.Cpu c : new GicV3Model.Cpu[] {cpu0, cpu1}) {
            c.writeRegister(GicV3Model.ICC_PMR, 0xFF);
            c.writeRegister(GicV3Model.ICC_IGRPEN1, 1);
        }
    }

    @Test
    void aLevelSpiHeldHighIsPendingAgainAfterEoiAndGoesAwayWhenLowered() {
        setUpSpi(SPI, 0x80, 0);
        gic.setLevel(SPI, true);
        assertTrue(cpu0.irq());
        assertEquals(1, wakes0.get(), "a rising IRQ output wakes the vCPU");
        assertEquals(SPI, cpu0.readRegister(GicV3Model.ICC_IAR1));
        assertFalse(cpu0.irq(), "active: not signalled again until deactivated");
        cpu0.writeRegister(GicV3Model.ICC_EOIR1, SPI);
        assertTrue(cpu0.irq(), "the line is still high: pending again");
        assertEquals(SPI, cpu0.readRegister(GicV3Model.ICC_IAR1));
        gic.setLevel(SPI, false);
        cpu0.writeRegister(GicV3Model.ICC_EOIR1, SPI);
        assertFalse(cpu0.irq());
        assertEquals(GicV3Model.SPURIOUS, cpu0.readRegister(GicV3Model.ICC_IAR1));
    }

    @Test
    void anEdgeSpiLatchesOnePulse() {
        setUpSpi(SPI, 0x80, 0);
        gic.write(GICD + 0xC00 + 4 * (SPI / 16), 4, 2L << (2 * (SPI % 16)));
        gic.pulse(SPI);
        assertEquals(SPI, cpu0.readRegister(GicV3Model.ICC_IAR1));
        cpu0.writeRegister(GicV3Model.ICC_EOIR1, SPI);
        assertFalse(cpu0.irq(), "the edge was consumed by the acknowledge");
    }

    @Test
    void pmrMasksAndOnlyAHigherGroupPriorityPreempts() {
        setUpSpi(SPI, 0x80, 0);
        setUpSpi(SPI + 1, 0x40, 0);
        setUpSpi(SPI + 2, 0x90, 0);
        cpu0.writeRegister(GicV3Model.ICC_PMR, 0x80);
        gic.setLevel(SPI, true);
        assertFalse(cpu0.irq(), "priority 0x80 is not below PMR 0x80");
        cpu0.writeRegister(GicV3Model.ICC_PMR, 0xFF);
        assertEquals(SPI, cpu0.readRegister(GicV3Model.ICC_IAR1));
        assertEquals(0x80, cpu0.readRegister(GicV3Model.ICC_RPR));
        gic.setLevel(SPI + 2, true);
        assertFalse(cpu0.irq(), "0x90 does not preempt running priority 0x80");
        gic.setLevel(SPI + 1, true);
        assertTrue(cpu0.irq(), "0x40 preempts 0x80");
        assertEquals(SPI + 1, cpu0.readRegister(GicV3Model.ICC_IAR1));
        assertEquals(0x40, cpu0.readRegister(GicV3Model.ICC_RPR));
        cpu0.writeRegister(GicV3Model.ICC_EOIR1, SPI + 1);
        assertEquals(0x80, cpu0.readRegister(GicV3Model.ICC_RPR), "the priority drop returns to the first one");
    }

    @Test
    void spisRouteByAffinityAndSgisReachTheirTargets() {
        setUpSpi(SPI, 0x80, 1); // IROUTER Aff0 = 1: cpu1
        gic.setLevel(SPI, true);
        assertFalse(cpu0.irq());
        assertTrue(cpu1.irq());
        gic.write(GICR + 0x2_0000 + SGI + 0x80, 4, 1 << 3);
        gic.write(GICR + 0x2_0000 + SGI + 0x100, 4, 1 << 3);
        gic.setLevel(SPI, false);
        cpu0.writeRegister(GicV3Model.ICC_SGI1R, 3L << 24 | 1 << 1); // SGI 3 to Aff0 = 1
        assertEquals(3, cpu1.readRegister(GicV3Model.ICC_IAR1));
        assertEquals(GicV3Model.SPURIOUS, cpu0.readRegister(GicV3Model.ICC_IAR1));
    }

    @Test
    void eoiModeOneSplitsPriorityDropFromDeactivation() {
        setUpSpi(SPI, 0x80, 0);
        cpu0.writeRegister(GicV3Model.ICC_CTLR, 2);
        gic.setLevel(SPI, true);
        assertEquals(SPI, cpu0.readRegister(GicV3Model.ICC_IAR1));
        cpu0.writeRegister(GicV3Model.ICC_EOIR1, SPI);
        assertEquals(0xFF, cpu0.readRegister(GicV3Model.ICC_RPR), "priority dropped");
        assertFalse(cpu0.irq(), "still active until ICC_DIR_EL1");
        cpu0.writeRegister(GicV3Model.ICC_DIR, SPI);
        assertTrue(cpu0.irq());
    }

    @Test
    void distributorStateRoundTrips() {
        setUpSpi(SPI, 0x80, 1);
        gic.setLevel(SPI, true);
        InterruptControllerState saved = gic.saveState();
        GicV3Model other = new GicV3Model(InterruptControllerConfig.qemuVirtGicV3());
        other.addCpu(0x8000_0000L, () -> { });
        GicV3Model.Cpu otherCpu1 = other.addCpu(0x8000_0001L, () -> { });
        other.restoreState(saved);
        otherCpu1.restore(cpu1.saveRedistributor(), cpu1.saveCpuInterface());
        assertEquals(saved, other.saveState());
        assertTrue(otherCpu1.irq());
    }
}
