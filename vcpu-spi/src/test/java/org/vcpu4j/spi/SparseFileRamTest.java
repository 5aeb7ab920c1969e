package org.vcpu4j.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.vcpu4j.api.MemoryMapException;
import org.vcpu4j.spi.internal.SparseFileRam;

/** The pure-Java guest RAM allocator: zeroed, aligned, private to the process, gone with its arena. */
class SparseFileRamTest {

    @Test
    void diskAndTmpfsMappingsAreZeroedAlignedWritableAndGoWithTheirArena() throws IOException {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        Path shm = Path.of("/dev/shm");
        for (Path dir : Files.isDirectory(shm) ? new Path[] {tmp, shm} : new Path[] {tmp}) {
            for (long alignment : new long[] {4096, 16384, 1 << 21}) {
                Arena arena = Arena.ofShared();
                MemorySegment ram = new SparseFileRam(dir).reserve(64L << 20, alignment, arena);
                assertEquals(64L << 20, ram.byteSize());
                assertEquals(0, ram.address() & (alignment - 1), dir + ", alignment " + alignment);
                assertEquals(0, ram.get(ValueLayout.JAVA_LONG, (64L << 20) - 8));
                ram.set(ValueLayout.JAVA_LONG, (64L << 20) - 8, -1L);
                assertEquals(-1L, ram.get(ValueLayout.JAVA_LONG, (64L << 20) - 8));
                arena.close();
                assertFalse(ram.scope().isAlive());
            }
        }
    }

    @Test
    void moreThanATmpfsHasFreeIsRefused() throws IOException {
        Path shm = Path.of("/dev/shm");
        assumeTrue(Files.isDirectory(shm) && "tmpfs".equals(Files.getFileStore(shm).type()), "needs a tmpfs /dev/shm");
        long tooMuch = (Files.getFileStore(shm).getUsableSpace() & -4096L) + (1L << 30);
        try (Arena arena = Arena.ofShared()) {
            var e = assertThrows(MemoryMapException.class, () -> new SparseFileRam(shm).reserve(tooMuch, 4096, arena));
            assertTrue(e.getMessage().contains("tmpfs"), e.getMessage());
        }
    }
}
