package org.vcpu4j.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.vcpu4j.api.aarch64.Aarch64State;
import org.vcpu4j.api.aarch64.SystemRegister;
import org.vcpu4j.api.aarch64.Vec128;
import org.vcpu4j.api.x86_64.Segment;
import org.vcpu4j.api.x86_64.X86_64State;

/** The value types of the contract: validation, masking, encodings, equality. */
class ApiValuesTest {

    @Test
    void exitsMaskStoredDataToTheirWidthAndValidateFields() {
        assertEquals(0xEF, new VCpuExit.MmioWrite(0, AccessWidth.BYTE, 0xBEEF).data());
        assertEquals(0xFFFF, new VCpuExit.IoWrite(0x3F8, AccessWidth.WORD, -1).data());
        assertThrows(IllegalArgumentException.class, () -> new VCpuExit.IoRead(0x10000, AccessWidth.BYTE));
        assertThrows(IllegalArgumentException.class, () -> new VCpuExit.IoRead(0x60, AccessWidth.QWORD));
        assertThrows(IllegalArgumentException.class,
                () -> new VCpuExit.MmioRead(0, AccessWidth.BYTE, 32, AccessWidth.DWORD, false));
        assertThrows(IllegalArgumentException.class, () -> new VCpuExit.Hypercall(0, List.of(1L)));
    }

    @Test
    void accessWidthConversions() {
        assertEquals(AccessWidth.DWORD, AccessWidth.ofBytes(4));
        assertEquals(AccessWidth.QWORD, AccessWidth.ofLog2(3));
        assertEquals(0xFFFF_FFFFL, AccessWidth.DWORD.mask());
        var ex = assertThrows(IllegalArgumentException.class, () -> AccessWidth.ofBytes(3));
        assertTrue(ex.getMessage().contains("3"));
    }

    @Test
    void systemRegisterEncodingsMatchTheArchitecturalNumbering() {
        // ISS-format addresses from arm_vcpu_spec.md §3.3 and 16-bit encodings from peers.md b.3/b.6.
        assertEquals(0x32F806, SystemRegister.CNTV_CTL_EL0.issAddress());
        assertEquals(0xDF19, SystemRegister.CNTV_CTL_EL0.encoding());
        assertEquals(0xDF1A, SystemRegister.CNTV_CVAL_EL0.encoding());
        assertEquals(0xC005, SystemRegister.MPIDR_EL1.encoding());
        assertEquals(0xC080, SystemRegister.SCTLR_EL1.encoding());
        assertEquals(0xC600, SystemRegister.VBAR_EL1.encoding());
        assertEquals(0x32F800, SystemRegister.issAddress(3, 3, 14, 0, 1));
        assertEquals("CNTV_CTL_EL0", SystemRegister.describe(0x32F806));
        assertEquals("S3_0_C12_C11_5", SystemRegister.describe(0x3A3016));
    }

    @Test
    void aarch64StateIsAValueAndXzrReadsZero() {
        Aarch64State a = Aarch64State.reset().toBuilder().x(3, 7).x(31, 99).v(5, new Vec128(1, 2))
                .sys(SystemRegister.TCR_EL1, 0x1234).build();
        Aarch64State b = a.toBuilder().build();
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertEquals(0, a.x(31));
        assertEquals(Aarch64State.PSTATE_EL1H_MASKED, a.pstate());
        Aarch64State c = a.toBuilder().x(3, 8).build();
        assertEquals(List.of("x3: 0x7 != 0x8"), a.differences(c));
        assertThrows(IllegalArgumentException.class, () -> a.x(32));
    }

    @Test
    void x86StateIsAValue() {
        X86_64State s = X86_64State.builder().gpr(0, 1).rip(0x1000)
                .segment(X86_64State.SegmentRegister.CS, Segment.flatCode64(8)).build();
        assertEquals(s, s.toBuilder().build());
        assertEquals(0x2, X86_64State.builder().build().rflags());
        assertTrue(s.differences(s.toBuilder().gpr(15, 3).build()).getFirst().startsWith("r15"));
        assertThrows(IllegalArgumentException.class, () -> s.gpr(16));
    }

    @Test
    void guestMemoryRefusesOverlapMisalignmentAndRange() {
        GuestMemory m = GuestMemory.empty(4096, 1L << 32)
                .with(MemoryRegion.ram(0x1000, MemorySegment.ofArray(new byte[0x2000])));
        assertTrue(m.regionAt(0x2FFF).isPresent());
        assertTrue(m.regionAt(0x3000).isEmpty());
        assertThrows(MemoryMapException.class,
                () -> m.with(MemoryRegion.ram(0x2000, MemorySegment.ofArray(new byte[0x1000]))));
        assertThrows(MemoryMapException.class,
                () -> m.with(MemoryRegion.ram(0x8000, MemorySegment.ofArray(new byte[0x800]))));
        assertThrows(MemoryMapException.class,
                () -> m.with(MemoryRegion.ram(0xFFFF_F000L, MemorySegment.ofArray(new byte[0x2000]))));
        assertThrows(MemoryMapException.class, () -> new MemoryRegion(0, MemorySegment.ofArray(new byte[16]),
                java.util.Set.of()));
        assertEquals(0, m.without(0x1000).regions().size());
    }
}
