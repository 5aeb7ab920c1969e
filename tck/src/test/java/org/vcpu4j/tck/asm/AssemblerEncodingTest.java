package org.vcpu4j.tck.asm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.vcpu4j.api.AccessWidth;

/**
 * Fixed encodings, each checked once against GNU as 2.4x ({@code aarch64-linux-gnu-as}, {@code as --64});
 * {@link GnuAsCrossCheckTest} compares random encodings with the assemblers when they are installed.
 */
class AssemblerEncodingTest {

    @Test
    void a64LoadsAndStoresMatchGnuAs() {
        assertEquals(0x79C00CE3, new A64LoadStore(A64LoadStore.Op.LDRS_W, AccessWidth.WORD, 3, 7, false, 6).encode());
        assertEquals(0x3983FC20, new A64LoadStore(A64LoadStore.Op.LDRS_X, AccessWidth.BYTE, 0, 1, false, 255).encode());
        assertEquals(0xB89FC062, new A64LoadStore(A64LoadStore.Op.LDRS_X, AccessWidth.DWORD, 2, 3, true, -4).encode());
        assertEquals(0xF90007DF, new A64LoadStore(A64LoadStore.Op.STR, AccessWidth.QWORD, 31, 30, false, 8).encode());
        assertEquals(0x381800C5, new A64LoadStore(A64LoadStore.Op.STR, AccessWidth.BYTE, 5, 6, true, -128).encode());
        assertEquals(0xF97FFC41, new A64LoadStore(A64LoadStore.Op.LDR, AccessWidth.QWORD, 1, 2, false, 32760).encode());
    }

    @Test
    void a64SystemAndControlInstructionsMatchGnuAs() {
        assertEquals(0xD538F223, new A64SysReg(3, 0, 15, 2, 1).mrs(3));
        assertEquals(0xD518CCE1, new A64SysReg(3, 0, 12, 12, 7).msr(1));
        assertEquals(0xD4024682, A64.hvc(0x1234));
        assertEquals(0xD4000023, A64.smc(1));
        assertEquals(0xD503207F, A64.wfi());
        assertEquals(0xA90107E0, A64.stpX(0, 1, A64.ZR, 16));
        assertEquals(0xAD090FE2, A64.stpQ(2, 3, A64.ZR, 288));
        assertEquals(0xD50342FF, A64.msrDaifClr(2));
        assertEquals(0x14000000, A64.b(0));
        assertEquals(0xD2B7DDE1, A64.movz(1, 0xBEEF, 1));
        assertEquals(0xF2E24681, A64.movk(1, 0x1234, 3));
    }

    @Test
    void a64RefusesUnallocatedForms() {
        assertThrows(IllegalArgumentException.class,
                () -> new A64LoadStore(A64LoadStore.Op.LDRS_X, AccessWidth.QWORD, 0, 1, false, 0));
        assertThrows(IllegalArgumentException.class,
                () -> new A64LoadStore(A64LoadStore.Op.LDRS_W, AccessWidth.DWORD, 0, 1, false, 0));
        assertThrows(IllegalArgumentException.class,
                () -> new A64LoadStore(A64LoadStore.Op.LDR, AccessWidth.DWORD, 0, 1, false, 6));
        assertThrows(IllegalArgumentException.class, () -> A64.stpX(0, 1, 31, 12));
    }

    @Test
    void a64LoadResultFollowsThePseudocode() {
        var ldrshW = new A64LoadStore(A64LoadStore.Op.LDRS_W, AccessWidth.WORD, 3, 7, false, 0);
        assertEquals(0xFFFF_8001L, ldrshW.loadResult(0x1234_8001L));
        var ldrsbX = new A64LoadStore(A64LoadStore.Op.LDRS_X, AccessWidth.BYTE, 3, 7, false, 0);
        assertEquals(-1L, ldrsbX.loadResult(0xFF));
        var ldrW = new A64LoadStore(A64LoadStore.Op.LDR, AccessWidth.DWORD, 3, 7, false, 0);
        assertEquals(0x8000_0000L, ldrW.loadResult(0xFFFF_FFFF_8000_0000L));
        var ldrswX = new A64LoadStore(A64LoadStore.Op.LDRS_X, AccessWidth.DWORD, 3, 7, false, 0);
        assertEquals(0xFFFF_FFFF_8000_0000L, ldrswX.loadResult(0x8000_0000L));
    }

    @Test
    void x86MovesPortsAndSystemInstructionsMatchGnuAs() {
        String expected = "480fbf0c2500000060" // movsx rcx, word ptr [0x60000000]
                + "408a342508000060" // mov sil, byte ptr [0x60000008]
                + "66448b0c2510000060" // mov r9w, word ptr [0x60000010]
                + "440fb6142518000060" // movzx r10d, byte ptr [0x60000018]
                + "4c633c2520000060" // movsxd r15, dword ptr [0x60000020]
                + "4c89242528000060" // mov qword ptr [0x60000028], r12
                + "890425300000" + "60" // mov dword ptr [0x60000030], eax
                + "66ed" // in ax, dx
                + "e7e0" // out 0xe0, eax
                + "0f011c25f07f0000" // lidt [0x7ff0]
                + "49bb8877665544332211"; // mov r11, 0x1122334455667788
        X86 x = new X86()
                .access(new X86MemAccess(X86MemAccess.Kind.MOVSX, false, AccessWidth.WORD, AccessWidth.QWORD, 1, 0x6000_0000L))
                .access(new X86MemAccess(X86MemAccess.Kind.MOV, false, AccessWidth.BYTE, AccessWidth.BYTE, 6, 0x6000_0008L))
                .access(new X86MemAccess(X86MemAccess.Kind.MOV, false, AccessWidth.WORD, AccessWidth.WORD, 9, 0x6000_0010L))
                .access(new X86MemAccess(X86MemAccess.Kind.MOVZX, false, AccessWidth.BYTE, AccessWidth.DWORD, 10, 0x6000_0018L))
                .access(new X86MemAccess(X86MemAccess.Kind.MOVSX, false, AccessWidth.DWORD, AccessWidth.QWORD, 15, 0x6000_0020L))
                .access(new X86MemAccess(X86MemAccess.Kind.MOV, true, AccessWidth.QWORD, AccessWidth.QWORD, 12, 0x6000_0028L))
                .access(new X86MemAccess(X86MemAccess.Kind.MOV, true, AccessWidth.DWORD, AccessWidth.DWORD, 0, 0x6000_0030L))
                .access(new X86PortAccess(true, AccessWidth.WORD, 0x1234, true))
                .access(new X86PortAccess(false, AccessWidth.DWORD, 0xE0, false))
                .lidt(0x7FF0)
                .movImm64(11, 0x1122_3344_5566_7788L);
        assertArrayEquals(HexFormat.of().parseHex(expected), x.toBytes());
    }

    @Test
    void x86LoadResultMergesOrExtendsAsTheArchitectureSays() {
        long before = 0x1111_2222_3333_4444L;
        var movAx = new X86MemAccess(X86MemAccess.Kind.MOV, false, AccessWidth.WORD, AccessWidth.WORD, 0, 0);
        assertEquals(0x1111_2222_3333_ABCDL, movAx.loadResult(before, 0xFFFF_ABCDL));
        var movEax = new X86MemAccess(X86MemAccess.Kind.MOV, false, AccessWidth.DWORD, AccessWidth.DWORD, 0, 0);
        assertEquals(0x8000_0000L, movEax.loadResult(before, 0x8000_0000L));
        var movsxEax = new X86MemAccess(X86MemAccess.Kind.MOVSX, false, AccessWidth.BYTE, AccessWidth.DWORD, 0, 0);
        assertEquals(0xFFFF_FF80L, movsxEax.loadResult(before, 0x80));
        var movzxR16 = new X86MemAccess(X86MemAccess.Kind.MOVZX, false, AccessWidth.BYTE, AccessWidth.WORD, 0, 0);
        assertEquals(0x1111_2222_3333_0080L, movzxR16.loadResult(before, 0x80));
        var inAl = new X86PortAccess(true, AccessWidth.BYTE, 0x80, false);
        assertEquals(0x1111_2222_3333_44FFL, inAl.inResult(before, 0x1FF));
    }

    @Test
    void x86RefusesEncodingsThatDoNotExist() {
        assertThrows(IllegalArgumentException.class,
                () -> new X86MemAccess(X86MemAccess.Kind.MOVZX, false, AccessWidth.DWORD, AccessWidth.QWORD, 0, 0));
        assertThrows(IllegalArgumentException.class,
                () -> new X86MemAccess(X86MemAccess.Kind.MOVSX, true, AccessWidth.BYTE, AccessWidth.DWORD, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new X86PortAccess(true, AccessWidth.BYTE, 0x100, false));
    }
}
