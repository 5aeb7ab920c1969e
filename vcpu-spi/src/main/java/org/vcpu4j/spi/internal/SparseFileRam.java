package org.vcpu4j.spi.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.vcpu4j.api.MemoryMapException;
import org.vcpu4j.spi.GuestRamAllocator;

/**
 * {@link GuestRamAllocator#sparseFile()}: guest RAM as a mapping of a sparse, already deleted temporary
 * file, through {@link FileChannel#map(FileChannel.MapMode, long, long, Arena)} (no native access).
 *
 * <p>The file is created in {@code java.io.tmpdir} (owner-only permissions) and opened with {@code
 * DELETE_ON_CLOSE}, which on POSIX unlinks it at once: nothing is left behind, even if the JVM dies, and
 * the kernel frees the pages when the arena unmaps it. {@code map} sizes it with {@code ftruncate}, which
 * allocates no blocks. On a disk file system the mapping is {@code PRIVATE}: a write fault gives the
 * process an anonymous copy-on-write page and never dirties the file, a read of an untouched page finds
 * zeros in the page cache (clean, reclaimable). On {@code tmpfs} a private mapping would hold every
 * touched page twice (the tmpfs page behind the copy, and the copy: measured in
 * docs/decisions/0005-lazy-guest-ram.md), so there it is {@code READ_WRITE} (shared): one tmpfs page per
 * touched page, and the size is refused when the file system has less free space than that.
 */
public final class SparseFileRam implements GuestRamAllocator {
    /** The allocator over {@code java.io.tmpdir}. */
    public static final SparseFileRam INSTANCE = new SparseFileRam(Path.of(System.getProperty("java.io.tmpdir")));

    /** The smallest page size of the hosts the JDK runs on: mappings start at a multiple of it. */
    private static final long PAGE = 4096;

    private final Path directory;

    /**
     * Creates the allocator.
     *
     * @param directory where the (immediately deleted) files are created
     */
    public SparseFileRam(Path directory) {
        this.directory = directory;
    }

    @Override
    public MemorySegment reserve(long size, long alignment, Arena arena) {
        long extra = alignment > PAGE ? alignment - PAGE : 0;
        try {
            boolean tmpfs = "tmpfs".equals(Files.getFileStore(directory).type());
            if (tmpfs && Files.getFileStore(directory).getUsableSpace() < size) {
                throw new MemoryMapException(String.format("cannot reserve 0x%x bytes of guest RAM: %s is a tmpfs "
                        + "with only 0x%x bytes free; free some, or point -Djava.io.tmpdir to a disk directory",
                        size, directory, Files.getFileStore(directory).getUsableSpace()));
            }
            Path file = Files.createTempFile(directory, "vcpu4j-guest-ram-", ".bin");
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE,
                    StandardOpenOption.SPARSE, StandardOpenOption.DELETE_ON_CLOSE)) {
                MemorySegment mapped = channel.map(tmpfs ? FileChannel.MapMode.READ_WRITE : FileChannel.MapMode.PRIVATE,
                        0, size + extra, arena);
                return mapped.asSlice(-mapped.address() & (alignment - 1), size);
            } finally {
                deleteQuietly(file);
            }
        } catch (IOException | UncheckedIOException e) {
            throw new MemoryMapException(String.format("cannot reserve 0x%x bytes of guest RAM as a sparse file "
                    + "in %s: %s", size, directory, e.getMessage()));
        }
    }

    /** Deletes the file if {@code DELETE_ON_CLOSE} did not (it unlinks at open on POSIX; on Windows at unmap). */
    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            file.toFile().deleteOnExit();
        }
    }
}
