package org.vcpu4j.backend.hvf.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;
import org.vcpu4j.api.aarch64.SystemRegister;

/** Pins the C layouts and constants against the values in Apple's headers. */
class LayoutTest {

    @Test
    void hvVcpuExitIs32BytesWithTheExceptionAt8() {
        assertEquals(32, HvVcpuExit.layout().byteSize());
        assertEquals(8, HvVcpuExit.layout().byteAlignment());
        assertEquals(0, HvVcpuExit.layout().byteOffset(PathElement.groupElement("reason")));
        assertEquals(8, HvVcpuExit.layout().byteOffset(PathElement.groupElement("exception"),
                PathElement.groupElement("syndrome")));
        assertEquals(16, HvVcpuExit.layout().byteOffset(PathElement.groupElement("exception"),
                PathElement.groupElement("virtual_address")));
        assertEquals(24, HvVcpuExit.layout().byteOffset(PathElement.groupElement("exception"),
                PathElement.groupElement("physical_address")));
        assertEquals(8, HvVcpuExit.syndrome$offset());
        assertEquals(16, HvVcpuExit.virtualAddress$offset());
        assertEquals(24, HvVcpuExit.physicalAddress$offset());
    }

    @Test
    void exitAccessorsReadWhatWasWritten() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(HvVcpuExit.layout());
            HvVcpuExit.set(s, HvVcpuExit.REASON_EXCEPTION, 0x9200_0046L, 0xFFFF_0000_1234L, 0x0900_0000L);
            assertEquals(1, HvVcpuExit.reason(s));
            assertEquals(0x9200_0046L, HvVcpuExit.syndrome(s));
            assertEquals(0xFFFF_0000_1234L, HvVcpuExit.virtualAddress(s));
            assertEquals(0x0900_0000L, HvVcpuExit.physicalAddress(s));
        }
    }

    @Test
    void exitReasonsAndRegisterIdsMatchTheHeaders() {
        assertEquals(0, HvVcpuExit.REASON_CANCELED);
        assertEquals(1, HvVcpuExit.REASON_EXCEPTION);
        assertEquals(2, HvVcpuExit.REASON_VTIMER_ACTIVATED);
        assertEquals(3, HvVcpuExit.REASON_UNKNOWN);
        assertEquals(31, HvReg.PC);
        assertEquals(32, HvReg.FPCR);
        assertEquals(33, HvReg.FPSR);
        assertEquals(34, HvReg.CPSR);
        assertEquals(0, HvReg.INTERRUPT_IRQ);
        assertEquals(1, HvReg.INTERRUPT_FIQ);
        assertEquals("HV_REG_X7", HvReg.name(7));
        assertEquals("HV_REG_CPSR", HvReg.name(HvReg.CPSR));
    }

    @Test
    void sysRegCodesAreTheArchitecturalEncoding() {
        for (SystemRegister r : SystemRegister.values()) {
            HvSysReg h = HvSysReg.of(r).orElse(null);
            if (h != null) {
                assertEquals(r.encoding(), h.code(), r.name());
                assertEquals(h, HvSysReg.ofCode(r.encoding()));
            }
        }
        assertEquals(0xc005, HvSysReg.MPIDR_EL1.code());
        assertEquals(0xc080, HvSysReg.SCTLR_EL1.code());
        assertEquals(0xc600, HvSysReg.VBAR_EL1.code());
        assertEquals(0xdf19, HvSysReg.CNTV_CTL_EL0.code());
        assertEquals(0xdf1a, HvSysReg.CNTV_CVAL_EL0.code());
        assertEquals(0xe208, HvSysReg.SP_EL1.code());
        assertEquals(0xc208, HvSysReg.SP_EL0.code());
        assertEquals(0xc200, HvSysReg.SPSR_EL1.code());
        assertEquals(0xc201, HvSysReg.ELR_EL1.code());
        assertNull(HvSysReg.ofCode(0x1234));
    }

    @Test
    void registersWithoutAnHvSysRegAreExactlyTheDocumentedOnes() {
        StringBuilder missing = new StringBuilder();
        for (SystemRegister r : SystemRegister.values()) {
            if (HvSysReg.of(r).isEmpty()) {
                missing.append(r.name()).append(' ');
            }
        }
        assertEquals("ACTLR_EL1 PMCR_EL0 CNTVCT_EL0 CNTP_CTL_EL0 CNTP_CVAL_EL0 ", missing.toString());
        assertTrue(HvSysReg.of(SystemRegister.TPIDR_EL0).isPresent());
    }
}
