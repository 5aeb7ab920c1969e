// Compares ways to reserve guest RAM lazily (issue 11 item 5; docs/decisions/0005-lazy-guest-ram.md).
// Run: java --enable-native-access=ALL-UNNAMED benchmarks/guest-ram/GuestRamOptions.java [RESERVE_GIB] [TOUCH_MIB]
// For each option: reserve RESERVE_GIB (default 16), write one long per 4 KiB page over the first
// TOUCH_MIB (default 256), read it back, release it; print the time of each step, the process's VmRSS
// deltas, and the host's Shmem and Cached deltas (/proc/meminfo: tmpfs pages and page cache the touched
// pages cost beside the process's own). "arena.allocate" (what mapRam did) is measured at 1 GiB only.
// /dev/zero cannot be mapped through FileChannel (it cannot be sized), so it is not an option.
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.BiFunction;

public class GuestRamOptions {
    static final long PAGE = 4096;

    public static void main(String[] args) throws Exception {
        long reserve = (args.length > 0 ? Long.parseLong(args[0]) : 16) << 30;
        long touch = (args.length > 1 ? Long.parseLong(args[1]) : 256) << 20;
        System.out.printf("%-34s %10s %10s %12s %10s %12s %12s %10s %10s %12s%n", "option", "reserve", "size",
                "rss+reserve", "touch", "ns/page", "rss+touched", "shmem+", "cache+", "rss+freed");
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        measure("arena.allocate (status quo)", 1L << 30, touch, (size, arena) -> arena.allocate(size, 4096));
        measure("mmap NORESERVE|ANON|PRIVATE (FFM)", reserve, touch, GuestRamOptions::mmapNoReserve);
        measure("map sparse /dev/shm file SHARED", reserve, touch, (s, a) -> mapTemp(Path.of("/dev/shm"), FileChannel.MapMode.READ_WRITE, s, a));
        measure("map sparse /dev/shm file PRIVATE", reserve, touch, (s, a) -> mapTemp(Path.of("/dev/shm"), FileChannel.MapMode.PRIVATE, s, a));
        measure("map sparse " + tmp + " file PRIVATE", reserve, touch, (s, a) -> mapTemp(tmp, FileChannel.MapMode.PRIVATE, s, a));
        measure("map sparse " + tmp + " file SHARED", reserve, touch, (s, a) -> mapTemp(tmp, FileChannel.MapMode.READ_WRITE, s, a));
        for (long big : new long[] {64L << 30, 1L << 40}) {
            for (String name : new String[] {"/tmp PRIVATE", "/dev/shm SHARED", "mmap NORESERVE"}) {
                try (Arena a = Arena.ofShared()) {
                    MemorySegment s = switch (name) {
                        case "/tmp PRIVATE" -> mapTemp(tmp, FileChannel.MapMode.PRIVATE, big, a);
                        case "/dev/shm SHARED" -> mapTemp(Path.of("/dev/shm"), FileChannel.MapMode.READ_WRITE, big, a);
                        default -> mmapNoReserve(big, a);
                    };
                    System.out.printf("reserve %d GiB with %s: ok (%d bytes)%n", big >> 30, name, s.byteSize());
                } catch (RuntimeException e) {
                    System.out.printf("reserve %d GiB with %s: refused: %s%n", big >> 30, name, e.getMessage());
                }
            }
        }
    }

    static void measure(String name, long size, long touch, BiFunction<Long, Arena, MemorySegment> reserve) throws Exception {
        System.gc();
        long rss0 = status("VmRSS:");
        long shmem0 = meminfo("Shmem:");
        long cached0 = meminfo("Cached:");
        Arena arena = Arena.ofShared();
        long t0 = System.nanoTime();
        MemorySegment ram;
        try {
            ram = reserve.apply(size, arena);
        } catch (RuntimeException e) {
            arena.close();
            System.out.printf("%-34s refused: %s%n", name, e);
            return;
        }
        long t1 = System.nanoTime();
        long rss1 = status("VmRSS:");
        long n = Math.min(touch, size) / PAGE;
        long t2 = System.nanoTime();
        for (long p = 0; p < n; p++) {
            ram.set(ValueLayout.JAVA_LONG, p * PAGE, p);
        }
        long t3 = System.nanoTime();
        long sum = 0;
        for (long p = 0; p < n; p++) {
            sum += ram.get(ValueLayout.JAVA_LONG, p * PAGE);
        }
        if (sum != n * (n - 1) / 2 || ram.get(ValueLayout.JAVA_LONG, size - 8) != 0) {
            throw new AssertionError(name + ": wrong contents");
        }
        long rss2 = status("VmRSS:");
        long shmem2 = meminfo("Shmem:");
        long cached2 = meminfo("Cached:");
        arena.close();
        long rss3 = status("VmRSS:");
        System.out.printf("%-34s %8.1fms %8dG %10dMi %8.1fms %12.0f %10dMi %8dMi %8dMi %10dMi%n", name,
                (t1 - t0) / 1e6, size >> 30, (rss1 - rss0) >> 10, (t3 - t2) / 1e6, (t3 - t2) / (double) n,
                (rss2 - rss0) >> 10, (shmem2 - shmem0) >> 10, (cached2 - cached0) >> 10, (rss3 - rss0) >> 10);
    }

    static MemorySegment mapTemp(Path dir, FileChannel.MapMode mode, long size, Arena arena) {
        try {
            Path file = Files.createTempFile(dir, "guest-ram", ".bin");
            return mapFile(file, mode, size, arena);
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    /** As vcpu-spi's SparseFileRam: DELETE_ON_CLOSE unlinks at open (POSIX); map() sizes it with ftruncate. */
    static MemorySegment mapFile(Path file, FileChannel.MapMode mode, long size, Arena arena) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE,
                StandardOpenOption.SPARSE, StandardOpenOption.DELETE_ON_CLOSE)) {
            return ch.map(mode, 0, size, arena);
        } catch (IOException e) {
            throw new RuntimeException(e.toString(), e);
        }
    }

    static final Linker LINKER = Linker.nativeLinker();
    static final MethodHandle MMAP = LINKER.downcallHandle(LINKER.defaultLookup().find("mmap").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
                    ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
    static final MethodHandle MUNMAP = LINKER.downcallHandle(LINKER.defaultLookup().find("munmap").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));

    static MemorySegment mmapNoReserve(long size, Arena arena) {
        try {
            MemorySegment p = (MemorySegment) MMAP.invokeExact(MemorySegment.NULL, size, 3, 0x02 | 0x20 | 0x4000, -1, 0L);
            if (p.address() == -1L) {
                throw new RuntimeException("mmap failed");
            }
            return p.reinterpret(size, arena, s -> {
                try {
                    int r = (int) MUNMAP.invokeExact(s, size);
                } catch (Throwable t) {
                    throw new RuntimeException(t);
                }
            });
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new RuntimeException(t);
        }
    }

    static long status(String key) throws IOException {
        return field(Path.of("/proc/self/status"), key);
    }

    static long meminfo(String key) throws IOException {
        return field(Path.of("/proc/meminfo"), key);
    }

    static long field(Path file, String key) throws IOException {
        for (String line : Files.readAllLines(file)) {
            if (line.startsWith(key)) {
                return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
            }
        }
        return -1;
    }
}
