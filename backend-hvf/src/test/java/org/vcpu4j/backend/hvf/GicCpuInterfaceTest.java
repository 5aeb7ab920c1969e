package org.vcpu4j.backend.hvf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.vcpu4j.api.aarch64.SystemRegister;

class GicCpuInterfaceTest {

    @Test
    void acknowledgeAndEndFollowTheModel() {
        GicCpuInterface gic = new GicCpuInterface();
        assertFalse(gic.signalled());
        assertEquals(1023, gic.read(GicCpuInterface.ICC_HPPIR1_EL1));
        assertEquals(0xFF, gic.read(GicCpuInterface.ICC_RPR_EL1));
        gic.pend(50);
        gic.pend(27);
        assertTrue(gic.signalled());
        assertEquals(27, gic.read(GicCpuInterface.ICC_HPPIR1_EL1));
        assertEquals(27, gic.read(GicCpuInterface.ICC_IAR1_EL1));
        assertTrue(gic.isActive(27));
        assertFalse(gic.signalled(), "nothing is signalled while an id is active");
        assertEquals(1023, gic.read(GicCpuInterface.ICC_IAR1_EL1));
        assertEquals(0, gic.read(GicCpuInterface.ICC_RPR_EL1));
        gic.write(GicCpuInterface.ICC_EOIR1_EL1, 0xFF00_0000L | 27); // bits above 23 are not the INTID
        assertFalse(gic.isActive(27));
        assertTrue(gic.signalled());
        assertEquals(50, gic.read(GicCpuInterface.ICC_IAR1_EL1));
        gic.write(GicCpuInterface.ICC_DIR_EL1, 50);
        assertFalse(gic.signalled());
    }

    @Test
    void storageRegistersKeepTheirArchitecturalBits() {
        GicCpuInterface gic = new GicCpuInterface();
        assertEquals(7, gic.read(GicCpuInterface.ICC_SRE_EL1));
        gic.write(GicCpuInterface.ICC_SRE_EL1, 0);
        assertEquals(1, gic.read(GicCpuInterface.ICC_SRE_EL1), "SRE stays 1: system registers are the interface");
        gic.write(GicCpuInterface.ICC_PMR_EL1, 0x1F0);
        assertEquals(0xF0, gic.read(GicCpuInterface.ICC_PMR_EL1));
        gic.write(GicCpuInterface.ICC_BPR1_EL1, 0xF);
        assertEquals(7, gic.read(GicCpuInterface.ICC_BPR1_EL1));
        gic.write(GicCpuInterface.ICC_IGRPEN1_EL1, 3);
        assertEquals(1, gic.read(GicCpuInterface.ICC_IGRPEN1_EL1));
        gic.write(GicCpuInterface.ICC_CTLR_EL1, 0x42);
        assertEquals(0x42, gic.read(GicCpuInterface.ICC_CTLR_EL1));
        gic.write(GicCpuInterface.ICC_AP1R0_EL1, 5);
        assertEquals(5, gic.read(GicCpuInterface.ICC_AP1R0_EL1));
    }

    @Test
    void theModelCoversTheIccRegistersButNotSgi1r() {
        assertTrue(GicCpuInterface.handles(SystemRegister.issAddress(3, 0, 12, 12, 0)));
        assertFalse(GicCpuInterface.handles(0x3A3016), "ICC_SGI1R_EL1 writes are SendIpi exits");
        assertFalse(GicCpuInterface.handles(SystemRegister.VBAR_EL1.issAddress()));
    }

    @Test
    void aDroppedLevelIsNoLongerPending() {
        GicCpuInterface gic = new GicCpuInterface();
        gic.pend(27);
        gic.unpend(27);
        assertFalse(gic.isPending(27));
        assertFalse(gic.signalled());
    }
}
