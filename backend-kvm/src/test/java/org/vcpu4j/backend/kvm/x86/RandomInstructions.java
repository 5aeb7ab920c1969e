package org.vcpu4j.backend.kvm.x86;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Random 15-byte candidates shaped like instructions: a few legacy prefixes (at most one per group, in
 * random order), a REX prefix right before the opcode in 64-bit mode, an opcode of one of the maps (one
 * byte, 0F, 0F38, 0F3A, VEX, EVEX) and random ModRM, SIB, displacement and immediate bytes.
 *
 * <p>Left out, because objdump reads them otherwise than a current processor: FWAIT (9B), which objdump
 * joins to a following x87 instruction, and 0F 24 / 0F 26 (MOV to and from the 386/486 test registers,
 * an invalid opcode since the Pentium), which objdump still decodes in 32-bit code.
 */
final class RandomInstructions {
    private static final int[] SEGMENTS = {0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65};
    private static final int[] EVEX_MAPS = {1, 2, 3, 5, 6};

    private RandomInstructions() {}

    static byte[] next(Random random, boolean is64) {
        List<Integer> prefixes = new ArrayList<>();
        if (random.nextInt(100) < 20) {
            prefixes.add(0x66);
        }
        if (random.nextInt(100) < 12) {
            prefixes.add(0x67);
        }
        if (random.nextInt(100) < 15) {
            prefixes.add(random.nextBoolean() ? 0xF2 : 0xF3);
        }
        if (random.nextInt(100) < 8) {
            prefixes.add(SEGMENTS[random.nextInt(SEGMENTS.length)]);
        }
        if (random.nextInt(100) < 4) {
            prefixes.add(0xF0);
        }
        Collections.shuffle(prefixes, random);
        List<Integer> bytes = new ArrayList<>(prefixes);
        int map = random.nextInt(100);
        boolean legacyMap = map < 90;
        if (is64 && legacyMap && random.nextInt(100) < 40) {
            bytes.add(0x40 | random.nextInt(16));
        }
        if (map < 50) {
            bytes.add(oneByteOpcode(random, is64));
        } else if (map < 75) {
            int second;
            do {
                second = random.nextInt(256);
            } while (second == 0x38 || second == 0x3A || second == 0x24 || second == 0x26);
            bytes.add(0x0F);
            bytes.add(second);
        } else if (map < 83) {
            bytes.add(0x0F);
            bytes.add(0x38);
            bytes.add(random.nextInt(256));
        } else if (map < 90) {
            bytes.add(0x0F);
            bytes.add(0x3A);
            bytes.add(random.nextInt(256));
        } else if (map < 95) {
            int top = is64 ? random.nextInt(8) << 5 : 0xE0 & (random.nextInt(2) << 5 | 0xC0);
            if (random.nextBoolean()) {
                bytes.add(0xC5);
                bytes.add(top | random.nextInt(32));
            } else {
                bytes.add(0xC4);
                bytes.add(top | (1 + random.nextInt(3)));
                bytes.add(random.nextInt(256));
            }
            bytes.add(random.nextInt(256));
        } else {
            bytes.add(0x62);
            int top = is64 ? random.nextInt(16) << 4 : 0xC0 | random.nextInt(4) << 4;
            bytes.add(top | EVEX_MAPS[random.nextInt(EVEX_MAPS.length)]);
            bytes.add(random.nextInt(256) | 0x04);
            bytes.add(random.nextInt(256));
            bytes.add(random.nextInt(256));
        }
        byte[] out = new byte[InstructionLength.MAX_LENGTH];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) (i < bytes.size() ? bytes.get(i) : random.nextInt(256));
        }
        return out;
    }

    private static int oneByteOpcode(Random random, boolean is64) {
        while (true) {
            int op = random.nextInt(256);
            boolean prefix = switch (op) {
                case 0x9B, 0x0F, 0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65, 0x66, 0x67, 0xF0, 0xF2, 0xF3, 0xC4, 0xC5, 0x62 -> true;
                default -> is64 && (op & 0xF0) == 0x40;
            };
            if (!prefix) {
                return op;
            }
        }
    }
}
