package org.vcpu4j.cli.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vcpu4j.api.GuestIsa;

/** ELF64 loading by program headers, raw images, and clear refusals. */
class ImageLoaderTest {
    private final ImageLoader loader = new ImageLoader();

    /** {@return a minimal ELF64 executable with one PT_LOAD segment} */
    static byte[] elf(int machine, long entry, long paddr, byte[] code, long memsz) {
        ByteBuffer b = ByteBuffer.allocate(64 + 56 + code.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7F, 'E', 'L', 'F', 2, 1, 1, 0}).put(new byte[8]);
        b.putShort((short) 2).putShort((short) machine).putInt(1).putLong(entry).putLong(64).putLong(0)
                .putInt(0).putShort((short) 64).putShort((short) 56).putShort((short) 1)
                .putShort((short) 64).putShort((short) 0).putShort((short) 0);
        b.putInt(1).putInt(5).putLong(120).putLong(paddr + 0x1000).putLong(paddr)
                .putLong(code.length).putLong(memsz).putLong(0x1000);
        b.put(code);
        return b.array();
    }

    @Test
    void elfIsLoadedAtItsPhysicalAddresses(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("g.elf");
        Files.write(f, elf(183, 0x4000_0010L, 0x4000_0000L, new byte[] {1, 2, 3, 4}, 0x100));
        GuestImage image = loader.load(f);
        assertEquals(Optional.of(GuestIsa.AARCH64), image.isa());
        assertEquals(Optional.of(0x4000_0010L), image.entry());
        GuestImage.Segment s = image.segments().getFirst();
        assertEquals(0x4000_0000L, s.address(), "p_paddr, not p_vaddr");
        assertArrayEquals(new byte[] {1, 2, 3, 4}, s.bytes());
        assertEquals(0x100, s.memorySize());
    }

    @Test
    void x86ElfIsRecognised(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("x.elf");
        Files.write(f, elf(62, 0x10_0000, 0x10_0000, new byte[] {(byte) 0xF4}, 1));
        assertEquals(Optional.of(GuestIsa.X86_64), loader.load(f).isa());
    }

    @Test
    void anythingElseIsARawImageWithoutIsaOrEntry(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("raw.bin");
        Files.write(f, new byte[] {0x1F, 0x20, 0x03, (byte) 0xD5});
        GuestImage image = loader.load(f);
        assertTrue(image.isa().isEmpty());
        assertTrue(image.entry().isEmpty());
    }

    @Test
    void brokenElfFilesAreRefusedWithTheReason(@TempDir Path dir) throws Exception {
        byte[] riscv = elf(243, 0, 0, new byte[4], 4);
        var e = assertThrows(InvalidImageException.class, () -> loader.parseElf("r.elf", riscv));
        assertTrue(e.getMessage().contains("machine 243"), e.getMessage());
        byte[] truncated = java.util.Arrays.copyOf(riscv, 40);
        assertThrows(InvalidImageException.class, () -> loader.parseElf("t.elf", truncated));
        byte[] elf32 = elf(183, 0, 0, new byte[4], 4);
        elf32[4] = 1;
        var e32 = assertThrows(InvalidImageException.class, () -> loader.parseElf("32.elf", elf32));
        assertTrue(e32.getMessage().contains("64-bit"), e32.getMessage());
        Path empty = dir.resolve("empty");
        Files.write(empty, new byte[0]);
        assertThrows(InvalidImageException.class, () -> loader.load(empty));
    }
}
