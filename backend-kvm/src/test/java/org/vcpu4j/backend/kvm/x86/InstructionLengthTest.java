package org.vcpu4j.backend.kvm.x86;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.vcpu4j.backend.kvm.x86.InstructionLength.Mode;

/**
 * Hand-assembled cases of {@link InstructionLength} that need no binutils: the loads the KVM backend
 * meets, 16-bit addressing, truncated input, the 15-byte limit and opcodes invalid in 64-bit mode.
 */
class InstructionLengthTest {

    private static int length(String hex, Mode mode) {
        byte[] bytes = HexFormat.of().parseHex(hex.replace(" ", ""));
        return InstructionLength.of(bytes, 0, bytes.length, mode);
    }

    @Test
    void portAndMmioLoadsIn64BitMode() {
        assertEquals(1, length("ec 90", Mode.BITS_64), "in al, dx");
        assertEquals(2, length("66 ed", Mode.BITS_64), "in ax, dx");
        assertEquals(2, length("e4 60 90", Mode.BITS_64), "in al, 0x60");
        assertEquals(4, length("48 8b 4b 10", Mode.BITS_64), "mov rcx, [rbx+16]");
        assertEquals(6, length("8b 05 78 56 34 12 90", Mode.BITS_64), "mov eax, [rip+disp32]");
        assertEquals(10, length("65 67 4c 8b 84 8b 00 01 00 00", Mode.BITS_64), "mov r8, gs:[ebx+ecx*4+0x100]");
        assertEquals(10, length("48 a1 88 77 66 55 44 33 22 11", Mode.BITS_64), "movabs rax, [moffs64]");
        assertEquals(6, length("67 a1 00 10 00 00", Mode.BITS_64), "mov eax, [moffs32] with 67");
        assertEquals(7, length("8b 04 25 00 10 00 00", Mode.BITS_64), "SIB without base: disp32");
        assertEquals(4, length("8b 44 25 08", Mode.BITS_64), "mod 01 with SIB base rbp: disp8");
        assertEquals(10, length("48 b8 01 02 03 04 05 06 07 08", Mode.BITS_64), "mov rax, imm64");
        assertEquals(4, length("66 b8 34 12", Mode.BITS_64), "mov ax, imm16");
        assertEquals(7, length("48 c7 00 78 56 34 12", Mode.BITS_64), "mov qword [rax], imm32 (REX.W keeps Iz)");
        assertEquals(6, length("66 e9 00 00 00 00", Mode.BITS_64), "jmp rel32 ignores 66");
    }

    @Test
    void aRexPrefixBeforeALegacyPrefixIsIgnoredButCounted() {
        assertEquals(5, length("48 66 b8 34 12", Mode.BITS_64), "48 66 b8: REX ignored, 66 makes it imm16");
    }

    @Test
    void sixteenAndThirtyTwoBitModes() {
        assertEquals(3, length("b8 34 12", Mode.BITS_16), "mov ax, imm16");
        assertEquals(6, length("66 b8 78 56 34 12", Mode.BITS_16), "mov eax, imm32 with 66");
        assertEquals(3, length("8b 46 08 90", Mode.BITS_16), "mov ax, [bp+8]");
        assertEquals(4, length("8b 1e 00 10", Mode.BITS_16), "mov bx, [disp16]");
        assertEquals(3, length("a1 00 10", Mode.BITS_16), "mov ax, [moffs16]");
        assertEquals(1, length("40", Mode.BITS_32), "inc eax");
        assertEquals(3, length("c5 f8 77", Mode.BITS_32), "c5 with mod 11 is VEX outside 64-bit mode: vzeroupper");
        assertEquals(2, length("c5 00", Mode.BITS_32), "lds eax, [eax]");
        assertEquals(7, length("9a 78 56 34 12 10 00", Mode.BITS_32), "call far ptr16:32");
    }

    @Test
    void invalidAndTruncatedInput() {
        assertEquals(InstructionLength.INVALID, length("06", Mode.BITS_64), "push es");
        assertEquals(InstructionLength.INVALID, length("9a 00 00 00 00 00 00", Mode.BITS_64), "far call");
        assertEquals(InstructionLength.INVALID, length("0f 04", Mode.BITS_64), "0f 04");
        assertEquals(InstructionLength.TRUNCATED, length("48 8b", Mode.BITS_64), "no ModRM");
        assertEquals(InstructionLength.TRUNCATED, length("8b 05 00 00", Mode.BITS_64), "half a disp32");
        assertEquals(InstructionLength.TRUNCATED, length("", Mode.BITS_64), "nothing");
        assertEquals(InstructionLength.INVALID, length("66".repeat(14) + "8b 05 00 00 00 00", Mode.BITS_64),
                "longer than 15 bytes");
        assertEquals(InstructionLength.INVALID, length("66".repeat(15), Mode.BITS_64), "only prefixes");
        assertEquals(15, length("66".repeat(9) + "8b 05 00 00 00 00", Mode.BITS_64), "exactly 15 bytes");
        assertThrows(IndexOutOfBoundsException.class, () -> InstructionLength.of(new byte[2], 1, 2, Mode.BITS_64));
    }
}
