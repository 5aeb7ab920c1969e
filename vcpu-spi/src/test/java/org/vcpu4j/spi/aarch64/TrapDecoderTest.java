package org.vcpu4j.spi.aarch64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.vcpu4j.api.AccessKind;
import org.vcpu4j.api.AccessWidth;
import org.vcpu4j.api.VCpuExit;

/**
 * The test vectors of arm_vcpu_spec.md §3.8, corrected where DESIGN.md's "Behaviour" says vcpu4j
 * differs from arm_vcpu (SSE honoured, no panics, SMC never forwarded, WFI trapped, MRS of
 * ICC_SGI1R_EL1 reaches the VMM).
 */
class TrapDecoderTest {
    private static final long IPA = 0x0900_0ABCL;

    private static TrapDecoder.Decoded decode(long esr, long... x) {
        return TrapDecoder.decode(esr, IPA, new ArrayGprs(x));
    }

    @Test
    void wordStoreIsAnMmioWriteOfTheRegisterAndAdvancesThePc() {
        var d = decode(0x93810047L, 0, 0xDEAD);
        assertEquals(new VCpuExit.MmioWrite(IPA, AccessWidth.DWORD, 0xDEAD), d.exit());
        assertTrue(d.advancePc());
        assertEquals(4, d.instructionLength());
    }

    @Test
    void storeDataIsMaskedToTheAccessWidth() {
        var d = decode(0x93810047L, 0, 0x1234_5678_9ABC_DEF0L);
        assertEquals(new VCpuExit.MmioWrite(IPA, AccessWidth.DWORD, 0x9ABC_DEF0L), d.exit());
    }

    @Test
    void doublewordLoadIntoX3() {
        var d = decode(0x93C38006L);
        assertEquals(new VCpuExit.MmioRead(IPA, AccessWidth.QWORD, 3, AccessWidth.QWORD, false), d.exit());
        assertTrue(d.advancePc());
    }

    @Test
    void signedByteLoadIntoW2HonoursSse() {
        // arm_vcpu reports signed_ext = false here; vcpu4j honours ISS.SSE (DESIGN.md Behaviour 2).
        var d = decode(0x93220007L);
        assertEquals(new VCpuExit.MmioRead(IPA, AccessWidth.BYTE, 2, AccessWidth.DWORD, true), d.exit());
    }

    @Test
    void permissionFaultWithSyndromeIsAnMmioAccess() {
        // arm_vcpu returns Err(Unsupported); vcpu4j reports it as KVM reports writes to read-only slots.
        var d = decode(0x9380004FL, 0x77);
        assertEquals(new VCpuExit.MmioWrite(IPA, AccessWidth.DWORD, 0x77), d.exit());
        assertTrue(d.advancePc());
    }

    @Test
    void accessFlagFaultIsAnInternalErrorNotAPanic() {
        var d = decode(0x9380000BL);
        assertInstanceOf(VCpuExit.InternalError.class, d.exit());
        assertFalse(d.advancePc());
    }

    @Test
    void abortWithoutValidSyndromeIsANestedPageFaultAtTheFaultingInstruction() {
        long esr = Esr.encode(Esr.EC_DABT_LOWER, true, DataAbortIss.withoutSyndrome(true).encode());
        var d = decode(esr);
        assertEquals(new VCpuExit.NestedPageFault(IPA, AccessKind.WRITE), d.exit());
        assertFalse(d.advancePc());
    }

    @Test
    void instructionAbortIsANestedPageFaultForExecute() {
        var d = decode(Esr.encode(Esr.EC_IABT_LOWER, true, 0x07));
        assertEquals(new VCpuExit.NestedPageFault(IPA, AccessKind.EXECUTE), d.exit());
        assertFalse(d.advancePc());
    }

    @Test
    void sgi1rWriteSendsAnIpiToTheTargetList() {
        long[] x = new long[6];
        x[5] = 0x0000_0000_0100_0003L;
        var d = decode(0x623A30B6L, x);
        assertEquals(new VCpuExit.SendIpi(0, 3, false, false, 1), d.exit());
        assertTrue(d.advancePc());
    }

    @Test
    void sgi1rWriteWithIrmSendsToAll() {
        long[] x = new long[6];
        x[5] = 0x0000_0100_0100_0000L;
        assertEquals(new VCpuExit.SendIpi(0, 0, true, false, 1), decode(0x623A30B6L, x).exit());
    }

    @Test
    void sgi1rAffinityIsPackedAsArmVcpuPacksIt() {
        long[] x = new long[6];
        x[5] = 0x00AB_00CD_00EF_0001L | 5L << 24;
        assertEquals(new VCpuExit.SendIpi(0xAB_CD_EF_00L, 1, false, false, 5), decode(0x623A30B6L, x).exit());
    }

    @Test
    void sgi1rReadReachesTheVmm() {
        // arm_vcpu reads it as zero and returns Nothing; the register is write-only, so vcpu4j lets the VMM decide.
        assertEquals(new VCpuExit.SysRegRead(0x3A3016, 5), decode(0x623A30B7L).exit());
    }

    @Test
    void cntpctReadIsASysRegRead() {
        var d = decode(0x6232F801L);
        assertEquals(new VCpuExit.SysRegRead(0x32F800, 0), d.exit());
        assertTrue(d.advancePc());
    }

    @Test
    void sysRegWriteOfXzrWritesZero() {
        int iss = SysRegIss.of(0x30F804, 31, false).encode();
        long[] x = new long[31];
        java.util.Arrays.fill(x, -1);
        assertEquals(new VCpuExit.SysRegWrite(0x30F804, 0), decode(Esr.encode(Esr.EC_SYSREG, true, iss), x).exit());
    }

    @Test
    void hvcSystemOffDoesNotAdvanceThePc() {
        var d = decode(0x5A000000L, 0x84000008L);
        assertEquals(new VCpuExit.SystemDown(), d.exit());
        assertFalse(d.advancePc());
    }

    @Test
    void hvcCpuOn64() {
        var d = decode(0x5A000000L, 0xC4000003L, 1, 0x40080000L, 7);
        assertEquals(new VCpuExit.CpuUp(1, 0x40080000L, 7), d.exit());
    }

    @Test
    void hvcCpuOn32TakesThirtyTwoBitArguments() {
        var d = decode(0x5A000000L, 0x84000003L, 0xFFFF_FFFF_0000_0001L, 0x1_4008_0000L, -1);
        assertEquals(new VCpuExit.CpuUp(1, 0x4008_0000L, 0xFFFF_FFFFL), d.exit());
    }

    @Test
    void hvcPsciVersionIsAHypercallWithSixArguments() {
        var d = decode(0x5A000000L, 0x84000000L, 1, 2, 3, 4, 5, 6);
        assertEquals(new VCpuExit.Hypercall(0x84000000L, List.of(1L, 2L, 3L, 4L, 5L, 6L)), d.exit());
        assertFalse(d.advancePc());
    }

    @Test
    void smcIsNeverForwardedAndAdvancesThePc() {
        var d = decode(0x5E000000L, 0x84000000L);
        assertEquals(new VCpuExit.Hypercall(0x84000000L, List.of(0L, 0L, 0L, 0L, 0L, 0L)), d.exit());
        assertTrue(d.advancePc());
    }

    @Test
    void smcSystemResetIsAResetExit() {
        var d = decode(0x5E000000L, 0x84000009L);
        assertEquals(new VCpuExit.SystemReset(), d.exit());
        assertTrue(d.advancePc());
    }

    @Test
    void smcCpuOffIsCpuDown() {
        assertEquals(new VCpuExit.CpuDown(0), decode(0x5E000000L, 0x84000002L).exit());
    }

    @Test
    void wfiIsAHaltPastTheInstruction() {
        var d = decode(0x06000000L);
        assertEquals(new VCpuExit.Halt(), d.exit());
        assertTrue(d.advancePc());
    }

    @Test
    void wfeIsNothingPastTheInstruction() {
        var d = decode(0x06000001L);
        assertEquals(new VCpuExit.Nothing(), d.exit());
        assertTrue(d.advancePc());
    }

    @Test
    void unknownExceptionClassIsAnInternalError() {
        var d = decode(Esr.encode(Esr.EC_BRK64, true, 0));
        var e = assertInstanceOf(VCpuExit.InternalError.class, d.exit());
        assertTrue(e.description().contains("0x3c"), e.description());
    }

    /** A register file backed by an array; unset registers read 0. */
    record ArrayGprs(long[] values) implements Gprs {
        @Override
        public long x(int n) {
            return n < values.length ? values[n] : 0;
        }

        @Override
        public void setX(int n, long value) {
            values[n] = value;
        }
    }
}
