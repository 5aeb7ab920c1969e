package org.vcpu4j.cli.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Mutated ELF64 headers (ELF-64 Object File Format 1.5, "Program header table": p_offset, p_filesz,
 * p_memsz and p_paddr are unsigned 64-bit) are refused with an {@link InvalidImageException} that names
 * the field, never an {@link ArithmeticException}, an index error or a silently truncated segment.
 */
class MalformedElfTest {
    // Offsets in ImageLoaderTest.elf: the ELF header, then one program header at 64.
    private static final int E_TYPE = 16;
    private static final int E_PHOFF = 32;
    private static final int PH = 64;
    private static final int P_OFFSET = PH + 8;
    private static final int P_PADDR = PH + 24;
    private static final int P_FILESZ = PH + 32;
    private static final int P_MEMSZ = PH + 40;

    private final ImageLoader loader = new ImageLoader();

    private static byte[] valid() {
        return ImageLoaderTest.elf(183, 0x4000_0000L, 0x4000_0000L, new byte[] {0x00, 0x00, 0x00, 0x14}, 0x100);
    }

    private static byte[] mutate(Consumer<ByteBuffer> change) {
        byte[] d = valid();
        change.accept(ByteBuffer.wrap(d).order(ByteOrder.LITTLE_ENDIAN));
        return d;
    }

    private InvalidImageException refused(byte[] elf) {
        return assertThrows(InvalidImageException.class, () -> loader.parseElf("m.elf", elf));
    }

    private void assertRefused(byte[] elf, String... words) {
        String message = refused(elf).getMessage();
        assertTrue(message.startsWith("m.elf "), message);
        assertEquals(1, message.lines().count(), message);
        for (String w : words) {
            assertTrue(message.contains(w), "'" + w + "' missing from: " + message);
        }
    }

    @Test
    void theUnmutatedImageLoads() {
        assertEquals(4, loader.parseElf("m.elf", valid()).segments().getFirst().bytes().length);
    }

    @Test
    void offsetPlusFileSizeOverflowing() {
        assertRefused(mutate(b -> b.putLong(P_OFFSET, Long.MAX_VALUE - 1)), "#0", "p_offset");
        assertRefused(mutate(b -> b.putLong(P_FILESZ, Long.MAX_VALUE).putLong(P_MEMSZ, Long.MAX_VALUE)), "#0", "p_filesz");
    }

    @Test
    void fileSizeMinusOne() {
        assertRefused(mutate(b -> b.putLong(P_FILESZ, -1L)), "#0", "p_filesz", "0xffffffffffffffff");
        assertRefused(mutate(b -> b.putLong(P_FILESZ, -1L).putLong(P_MEMSZ, -1L)), "#0", "p_filesz");
    }

    @Test
    void fileSizeWithBit63SetIsNotCutTo32Bits() {
        assertRefused(mutate(b -> b.putLong(P_FILESZ, (1L << 63) | 4).putLong(P_MEMSZ, (1L << 63) | 4)), "#0", "p_filesz");
        assertRefused(mutate(b -> b.putLong(P_FILESZ, (1L << 32) | 4)), "#0", "p_filesz");
    }

    @Test
    void memorySizeWithBit63Set() {
        assertRefused(mutate(b -> b.putLong(P_MEMSZ, 1L << 63)), "#0", "p_memsz");
    }

    @Test
    void programHeaderOffsetNear2To63() {
        assertRefused(mutate(b -> b.putLong(E_PHOFF, Long.MAX_VALUE - 8)), "e_phoff");
        assertRefused(mutate(b -> b.putLong(E_PHOFF, Long.MIN_VALUE)), "e_phoff");
        assertRefused(mutate(b -> b.putLong(E_PHOFF, -56L)), "e_phoff");
    }

    @Test
    void physicalAddressAtOrAbove2To63IsNotLoadedAtTheRamBase() {
        assertRefused(mutate(b -> b.putLong(P_PADDR, 1L << 63)), "#0", "p_paddr", "0x8000000000000000");
        assertRefused(mutate(b -> b.putLong(P_PADDR, -1L)), "#0", "p_paddr");
    }

    @Test
    void physicalAddressPlusMemorySizeWrapping() {
        assertRefused(mutate(b -> b.putLong(P_PADDR, Long.MAX_VALUE - 0x10)), "#0", "p_paddr", "p_memsz");
    }

    @Test
    void memorySizeBelowFileSize() {
        assertRefused(mutate(b -> b.putLong(P_MEMSZ, 2)), "#0", "p_memsz", "p_filesz");
    }

    @Test
    void aRelocatableObjectIsNotAnExecutable() {
        assertRefused(mutate(b -> b.putShort(E_TYPE, (short) 1)), "ET_REL", "link");
    }

    @Test
    void aRandomWalkOfHeaderMutationsNeverEscapesAsAnotherException() {
        var random = new java.util.SplittableRandom(11);
        long[] interesting = {0, 1, -1, Long.MAX_VALUE, Long.MIN_VALUE, 1L << 32, (1L << 32) - 1, 0xFFFF_FFFFL << 31,
            Long.MAX_VALUE - 56, 56, 64, 120, 124};
        for (int i = 0; i < 20_000; i++) {
            byte[] d = valid();
            ByteBuffer b = ByteBuffer.wrap(d).order(ByteOrder.LITTLE_ENDIAN);
            int mutations = 1 + random.nextInt(3);
            for (int m = 0; m < mutations; m++) {
                int field = 16 + 8 * random.nextInt((PH + 56 - 16) / 8);
                long value = random.nextBoolean() ? interesting[random.nextInt(interesting.length)] : random.nextLong();
                b.putLong(field, value);
            }
            try {
                GuestImage image = loader.parseElf("m.elf", d);
                for (GuestImage.Segment s : image.segments()) {
                    assertTrue(s.address() >= 0 && s.memorySize() >= s.bytes().length
                            && s.address() + s.memorySize() >= s.address(), "accepted a bad segment, try " + i);
                }
            } catch (InvalidImageException expected) {
                assertEquals(1, expected.getMessage().lines().count());
            }
        }
    }
}
