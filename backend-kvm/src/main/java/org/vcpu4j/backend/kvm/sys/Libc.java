package org.vcpu4j.backend.kvm.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The C library functions the backend calls, as FFM downcalls: {@code open}, {@code close}, {@code ioctl}
 * (declared variadic, {@code firstVariadicArg(2)}), {@code mmap}, {@code munmap}, {@code pthread_self},
 * {@code pthread_kill}, {@code sigaction}, {@code strerror}. Every call that can fail captures
 * {@code errno} ({@code captureCallState("errno")}) into a segment of {@link #ERRNO_STATE} the caller
 * passes first, so the hot path allocates nothing.
 *
 * <p>Loading this class needs native access for the module; {@link
 * org.vcpu4j.backend.kvm.KvmBackendProvider#availability()} checks that before touching it.
 */
@SuppressWarnings("restricted")
public final class Libc {
    /** open(2) flags (asm-generic/fcntl.h). */
    public static final int O_RDWR = 2;
    /** Close the fd on exec (asm-generic/fcntl.h, x86_64 and arm64 value). */
    public static final int O_CLOEXEC = 0x80000;
    /** mmap(2) protection and flags (asm-generic/mman-common.h). */
    public static final int PROT_READ = 1;
    /** Write permission. */
    public static final int PROT_WRITE = 2;
    /** Shared mapping. */
    public static final int MAP_SHARED = 1;
    /** Private copy-on-write mapping (linux/mman.h). */
    public static final int MAP_PRIVATE = 0x02;
    /** Anonymous mapping (x86_64 and arm64 value). */
    public static final int MAP_ANONYMOUS = 0x20;
    /** Do not account the mapping against overcommit: pages are committed when touched (asm-generic/mman.h). */
    public static final int MAP_NORESERVE = 0x4000;
    /** errno EINTR (asm-generic/errno-base.h). */
    public static final int EINTR = 4;

    /** The layout of the errno capture segment ({@code [i4(errno)]}). */
    public static final StructLayout ERRNO_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = ERRNO_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final Linker.Option ERRNO_OPTION = Linker.Option.captureCallState("errno");

    private static final MethodHandle OPEN = downcall("open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2), ERRNO_OPTION);
    private static final MethodHandle CLOSE = downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT), ERRNO_OPTION);
    private static final MethodHandle IOCTL_LONG = downcall("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), Linker.Option.firstVariadicArg(2), ERRNO_OPTION);
    private static final MethodHandle IOCTL_POINTER = downcall("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), Linker.Option.firstVariadicArg(2), ERRNO_OPTION);
    private static final MethodHandle MMAP = downcall("mmap",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG), ERRNO_OPTION);
    private static final MethodHandle MUNMAP = downcall("munmap",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG), ERRNO_OPTION);
    private static final MethodHandle PTHREAD_SELF = downcall("pthread_self", FunctionDescriptor.of(JAVA_LONG));
    private static final MethodHandle PTHREAD_KILL = downcall("pthread_kill",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT));
    private static final MethodHandle SIGACTION = downcall("sigaction",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), ERRNO_OPTION);
    private static final MethodHandle SIGRTMIN = downcall("__libc_current_sigrtmin", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle STRERROR = downcall("strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));

    /** mmap's MAP_FAILED, {@code (void *) -1}. */
    private static final long MAP_FAILED = -1L;

    private Libc() {}

    private static MethodHandle downcall(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        MemorySegment symbol = LIBC.find(name).orElseThrow(() ->
                new UnsatisfiedLinkError("the C library has no symbol '" + name + "'"));
        return LINKER.downcallHandle(symbol, descriptor, options);
    }

    /** {@return a new errno capture segment in {@code arena}} @param arena the arena */
    public static MemorySegment allocateErrno(Arena arena) {
        return arena.allocate(ERRNO_STATE);
    }

    /** {@return the errno captured in {@code state}} @param state an {@link #ERRNO_STATE} segment */
    public static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    /**
     * {@return {@code open(path, flags)}: a file descriptor, or -1 with errno in {@code errno}}
     *
     * @param errno the capture segment
     * @param path a NUL-terminated path
     * @param flags the open flags
     */
    public static int open(MemorySegment errno, MemorySegment path, int flags) {
        try {
            return (int) OPEN.invokeExact(errno, path, flags, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * {@return {@code close(fd)}: 0, or -1 with errno}
     *
     * @param errno the capture segment
     * @param fd the descriptor
     */
    public static int close(MemorySegment errno, int fd) {
        try {
            return (int) CLOSE.invokeExact(errno, fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * {@return {@code ioctl(fd, request, arg)} with an integer argument: the result, or -1 with errno}
     *
     * @param errno the capture segment
     * @param fd the descriptor
     * @param request the request number (see {@link KvmIoctls})
     * @param arg the argument
     */
    public static int ioctl(MemorySegment errno, int fd, long request, long arg) {
        try {
            return (int) IOCTL_LONG.invokeExact(errno, fd, request, arg);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * {@return {@code ioctl(fd, request, arg)} with a pointer argument: the result, or -1 with errno}
     *
     * @param errno the capture segment
     * @param fd the descriptor
     * @param request the request number (see {@link KvmIoctls})
     * @param arg the structure the request reads or writes
     */
    public static int ioctl(MemorySegment errno, int fd, long request, MemorySegment arg) {
        try {
            return (int) IOCTL_POINTER.invokeExact(errno, fd, request, arg);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * {@return {@code mmap(NULL, length, prot, flags, fd, 0)} as a segment of {@code length} bytes, or
     * {@link MemorySegment#NULL} on failure with errno}
     *
     * @param errno the capture segment
     * @param length the mapping length
     * @param prot the protection
     * @param flags the flags
     * @param fd the descriptor, or -1
     */
    public static MemorySegment mmap(MemorySegment errno, long length, int prot, int flags, int fd) {
        MemorySegment p;
        try {
            p = (MemorySegment) MMAP.invokeExact(errno, MemorySegment.NULL, length, prot, flags, fd, 0L);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return p.address() == MAP_FAILED ? MemorySegment.NULL : p.reinterpret(length);
    }

    /**
     * {@return {@code munmap(segment, size)}: 0, or -1 with errno}
     *
     * @param errno the capture segment
     * @param segment a segment {@link #mmap} returned
     */
    public static int munmap(MemorySegment errno, MemorySegment segment) {
        try {
            return (int) MUNMAP.invokeExact(errno, segment, segment.byteSize());
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@return the calling thread's {@code pthread_t}} */
    public static long pthreadSelf() {
        try {
            return (long) PTHREAD_SELF.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * {@return {@code pthread_kill(thread, signal)}: 0 or an error number}
     *
     * @param thread the target
     * @param signal the signal
     */
    public static int pthreadKill(long thread, int signal) {
        try {
            return (int) PTHREAD_KILL.invokeExact(thread, signal);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * {@return {@code sigaction(signal, action, old)}: 0, or -1 with errno}
     *
     * @param errno the capture segment
     * @param signal the signal
     * @param action a {@link Sigaction} segment
     * @param old a {@link Sigaction} segment for the previous action, or NULL
     */
    public static int sigaction(MemorySegment errno, int signal, MemorySegment action, MemorySegment old) {
        try {
            return (int) SIGACTION.invokeExact(errno, signal, action, old);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@return glibc's first real-time signal number ({@code SIGRTMIN})} */
    public static int sigrtmin() {
        try {
            return (int) SIGRTMIN.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@return the address of libc's {@code labs}: a pure function used as a no-op signal handler} */
    public static MemorySegment noOpSignalHandler() {
        // labs(long) reads its argument register and returns; called as void handler(int) it does nothing:
        // x86_64 SysV and AAPCS64 both pass the first integer argument in a register and ignore the result.
        return LIBC.find("labs").orElseThrow(() -> new UnsatisfiedLinkError("the C library has no symbol 'labs'"));
    }

    /**
     * {@return {@code strerror(errno)}, e.g. "No such file or directory"}
     *
     * @param errno an error number
     */
    public static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) STRERROR.invokeExact(errno);
            return s.address() == 0 ? "error " + errno : s.reinterpret(1024).getString(0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * {@return the symbolic name of an errno value ({@code EINVAL}), or {@code errno N}}
     *
     * @param errno an error number (asm-generic/errno-base.h, errno.h)
     */
    public static String errnoName(int errno) {
        return switch (errno) {
            case 1 -> "EPERM";
            case 2 -> "ENOENT";
            case 4 -> "EINTR";
            case 5 -> "EIO";
            case 6 -> "ENXIO";
            case 7 -> "E2BIG";
            case 8 -> "ENOEXEC";
            case 9 -> "EBADF";
            case 11 -> "EAGAIN";
            case 12 -> "ENOMEM";
            case 13 -> "EACCES";
            case 14 -> "EFAULT";
            case 16 -> "EBUSY";
            case 17 -> "EEXIST";
            case 19 -> "ENODEV";
            case 22 -> "EINVAL";
            case 24 -> "EMFILE";
            case 25 -> "ENOTTY";
            case 28 -> "ENOSPC";
            case 34 -> "ERANGE";
            case 38 -> "ENOSYS";
            case 95 -> "EOPNOTSUPP";
            default -> "errno " + errno;
        };
    }

    /**
     * {@return "NAME (number): text" for an errno value}
     *
     * @param errno an error number
     */
    public static String describeErrno(int errno) {
        return errnoName(errno) + " (" + errno + "): " + strerror(errno);
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("native call failed", t);
    }
}
