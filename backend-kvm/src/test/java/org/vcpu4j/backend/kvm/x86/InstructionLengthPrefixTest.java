package org.vcpu4j.backend.kvm.x86;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.vcpu4j.backend.kvm.x86.InstructionLength.Mode;

/**
 * Prefix decoding (issue 11 item 8): any number of legacy prefixes and REX prefixes in any order. SDM Vol. 2
 * section 2.1.1 (legacy prefixes, any order) and section 2.2.1 (in 64-bit mode only a REX immediately
 * before the opcode counts; an earlier REX, followed by another REX or a legacy prefix, is ignored).
 */
class InstructionLengthPrefixTest {
    private static final int[] LEGACY = {0x66, 0x67, 0xF2, 0xF3, 0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65};

    /** Loads and stores the KVM backend meets at IN and MMIO exits; their length depends on no prefix. */
    private static final String[] PREFIX_INVARIANT = {
        "8b 07", // mov eax, [rdi]
        "8b 4b 10", // mov ecx, [rbx+16]
        "8a 53 18", // mov dl, [rbx+24]
        "8b 84 8b 00 01 00 00", // mov eax, [rbx+rcx*4+0x100]
        "8b 05 78 56 34 12", // mov eax, [rip+disp32]
        "0f b7 73 20", // movzx esi, word [rbx+0x20]
        "0f b6 07", // movzx eax, byte [rdi]
        "89 03", // mov [rbx], eax
        "3b 07", // cmp eax, [rdi]
        "ec", // in al, dx
        "ed", // in eax, dx
        "e4 60", // in al, 0x60
        "e5 71", // in eax, 0x71
    };

    private static int length(String hex, Mode mode) {
        byte[] bytes = HexFormat.of().parseHex(hex.replace(" ", ""));
        return InstructionLength.of(bytes, 0, bytes.length, mode);
    }

    @Test
    void twoRexPrefixesCountAsTheLastOne() {
        assertEquals(4, length("48 48 8b 07", Mode.BITS_64), "rex.W rex.W mov rax, [rdi]");
        assertEquals(5, length("40 41 48 8b 07", Mode.BITS_64), "three REX");
        assertEquals(11, length("41 48 b8 01 02 03 04 05 06 07 08", Mode.BITS_64),
                "41 48 b8: the last REX (W) makes it mov rax, imm64");
        assertEquals(7, length("48 41 b8 01 02 03 04 05 06 07 08", Mode.BITS_64),
                "48 41 b8: the last REX (B, no W) makes it mov r8d, imm32");
        assertEquals(5, length("48 66 b8 34 12", Mode.BITS_64), "a REX before a legacy prefix is ignored");
        assertEquals(11, length("66 48 b8 01 02 03 04 05 06 07 08", Mode.BITS_64), "66 48 b8: REX.W beats 66, imm64");
    }

    @Test
    void randomPrefixesAroundLoadsAndStores() {
        SplittableRandom random = new SplittableRandom(0x11_08L);
        for (int i = 0; i < 20_000; i++) {
            String base = PREFIX_INVARIANT[random.nextInt(PREFIX_INVARIANT.length)];
            List<Integer> prefixes = randomPrefixes(random, true);
            byte[] code = assemble(prefixes, base);
            int expected = prefixes.size() + base.split(" ").length;
            expected = expected > InstructionLength.MAX_LENGTH ? InstructionLength.INVALID : expected;
            assertEquals(expected, InstructionLength.of(code, 0, code.length, Mode.BITS_64),
                    HexFormat.ofDelimiter(" ").formatHex(code));
        }
    }

    @Test
    void randomPrefixesBeforeAnImmediateWhoseSizeTheEffectivePrefixesChoose() {
        SplittableRandom random = new SplittableRandom(0x11_0BL);
        for (int i = 0; i < 20_000; i++) {
            List<Integer> prefixes = randomPrefixes(random, true);
            boolean movImm = random.nextBoolean(); // B8 (Iv) or C7 /0 with ModRM [rbx] (Iz)
            boolean operandSize = prefixes.contains(0x66);
            int last = prefixes.isEmpty() ? 0 : prefixes.get(prefixes.size() - 1);
            boolean rexW = (last & 0xF8) == 0x48; // only a REX immediately before the opcode counts
            int immediate = movImm ? (rexW ? 8 : operandSize ? 2 : 4) : (operandSize && !rexW ? 2 : 4);
            int expected = prefixes.size() + (movImm ? 1 : 2) + immediate;
            expected = expected > InstructionLength.MAX_LENGTH ? InstructionLength.INVALID : expected;
            byte[] code = assemble(prefixes, (movImm ? "b8" : "c7 03") + " 00".repeat(8));
            assertEquals(expected, InstructionLength.of(code, 0, Math.min(code.length, 15), Mode.BITS_64),
                    HexFormat.ofDelimiter(" ").formatHex(code));
        }
    }

    @Test
    void outside64BitModeFortyToFourFIsTheOpcode() {
        assertEquals(1, length("48 48 8b 07", Mode.BITS_32), "dec eax");
        assertEquals(1, length("48 8b 07", Mode.BITS_16), "dec ax");
    }

    /** 0 to 14 prefixes, legacy and REX mixed in random order (REX only when {@code is64}). */
    static List<Integer> randomPrefixes(SplittableRandom random, boolean is64) {
        List<Integer> prefixes = new ArrayList<>();
        int n = random.nextInt(15);
        for (int j = 0; j < n; j++) {
            prefixes.add(is64 && random.nextInt(3) == 0 ? 0x40 | random.nextInt(16)
                    : LEGACY[random.nextInt(LEGACY.length)]);
        }
        return prefixes;
    }

    static byte[] assemble(List<Integer> prefixes, String base) {
        byte[] tail = HexFormat.of().parseHex(base.replace(" ", ""));
        byte[] code = new byte[prefixes.size() + tail.length];
        for (int j = 0; j < prefixes.size(); j++) {
            code[j] = (byte) (int) prefixes.get(j);
        }
        System.arraycopy(tail, 0, code, prefixes.size(), tail.length);
        return code;
    }
}
