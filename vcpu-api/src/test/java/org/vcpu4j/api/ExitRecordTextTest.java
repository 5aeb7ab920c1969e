package org.vcpu4j.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Exit records print guest addresses, ports and hypercall numbers in hex, as every manual writes them. */
class ExitRecordTextTest {
    @Test
    void addressesArePrintedInHex() {
        assertEquals("MmioRead[address=0x9000018, width=DWORD, register=1, registerWidth=DWORD, signExtend=false]",
                new VCpuExit.MmioRead(0x0900_0018L, AccessWidth.DWORD, 1, AccessWidth.DWORD, false).toString());
        assertEquals("MmioWrite[address=0x9000000, width=BYTE, data=0x41]",
                new VCpuExit.MmioWrite(0x0900_0000L, AccessWidth.BYTE, 'A').toString());
        assertEquals("NestedPageFault[address=0x200, access=EXECUTE]",
                new VCpuExit.NestedPageFault(0x200, AccessKind.EXECUTE).toString());
        assertEquals("IoWrite[port=0x3f8, width=BYTE, data=0x68]", new VCpuExit.IoWrite(0x3F8, AccessWidth.BYTE, 'h').toString());
        assertEquals("IoRead[port=0x3fd, width=BYTE]", new VCpuExit.IoRead(0x3FD, AccessWidth.BYTE).toString());
        assertEquals("CpuUp[targetCpu=1, entryPoint=0x40000000, argument=0x0]",
                new VCpuExit.CpuUp(1, 0x4000_0000L, 0).toString());
        assertEquals("Hypercall[number=0x84000008, args=[0x0, 0x1, 0x0, 0x0, 0x0, 0x0]]",
                new VCpuExit.Hypercall(0x8400_0008L, List.of(0L, 1L, 0L, 0L, 0L, 0L)).toString());
        assertEquals("SysRegRead[address=0x30c000, register=2]", new VCpuExit.SysRegRead(0x30C000, 2).toString());
        assertEquals("SysRegWrite[address=0x30c000, value=0xffffffffffffffff]",
                new VCpuExit.SysRegWrite(0x30C000, -1).toString());
    }
}
