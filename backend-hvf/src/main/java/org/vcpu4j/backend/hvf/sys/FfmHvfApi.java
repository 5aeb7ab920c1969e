package org.vcpu4j.backend.hvf.sys;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import org.vcpu4j.api.aarch64.Vec128;

/**
 * {@link HvfApi} through {@code java.lang.foreign} downcalls into Hypervisor.framework. Nothing is looked
 * up until {@link #load()} (macOS only) or the constructor runs.
 *
 * <p>C types: {@code hv_return_t} is {@code int32}; {@code hv_vcpu_t}, {@code hv_ipa_t}, {@code size_t} and
 * {@code hv_memory_flags_t} are 64-bit; {@code hv_reg_t}, {@code hv_simd_fp_reg_t} and {@code
 * hv_interrupt_type_t} are {@code uint32}; {@code hv_sys_reg_t} is {@code uint16}, passed here as a
 * zero-extended {@code int} (Apple's arm64 ABI has the caller extend arguments narrower than 32 bits,
 * and a value below 0x10000 in an int is exactly the zero-extended form).
 */
public final class FfmHvfApi implements HvfApi {
    /** Where the framework's binary is; on macOS 11 and later it lives in the dyld shared cache, which dlopen consults. */
    public static final String FRAMEWORK_PATH = "/System/Library/Frameworks/Hypervisor.framework/Hypervisor";

    private static final ValueLayout.OfInt RET = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG;
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT;
    private static final AddressLayout PTR = ValueLayout.ADDRESS;
    private static final ValueLayout.OfBoolean BOOL = ValueLayout.JAVA_BOOLEAN;
    /** 16 bytes, 16-aligned: room for any out-parameter, including a {@code hv_simd_fp_uchar16_t}. */
    private static final ThreadLocal<MemorySegment> SCRATCH =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(16, 16));

    private final MethodHandle vmCreate;
    private final MethodHandle vmDestroy;
    private final MethodHandle vmMap;
    private final MethodHandle vmUnmap;
    private final MethodHandle vcpuCreate;
    private final MethodHandle vcpuDestroy;
    private final MethodHandle vcpuRun;
    private final MethodHandle vcpusExit;
    private final MethodHandle getReg;
    private final MethodHandle setReg;
    private final MethodHandle getSysReg;
    private final MethodHandle setSysReg;
    private final MethodHandle getSimdFpReg;
    private final MethodHandle setSimdFpReg;
    private final MethodHandle setPendingInterrupt;
    private final MethodHandle getVtimerMask;
    private final MethodHandle setVtimerMask;
    private final MethodHandle getVtimerOffset;
    private final MethodHandle setVtimerOffset;
    private final MethodHandle machAbsoluteTime;

    /**
     * Links every function.
     *
     * @param framework where the {@code hv_*} symbols are
     * @param system where {@code mach_absolute_time} is (libSystem)
     * @throws IllegalStateException if a symbol is missing, naming it
     * @throws IllegalCallerException if native access is not enabled for this module
     */
    @SuppressWarnings("restricted")
    public FfmHvfApi(SymbolLookup framework, SymbolLookup system) {
        Linker linker = Linker.nativeLinker();
        vmCreate = link(linker, framework, "hv_vm_create", FunctionDescriptor.of(RET, PTR));
        vmDestroy = link(linker, framework, "hv_vm_destroy", FunctionDescriptor.of(RET));
        vmMap = link(linker, framework, "hv_vm_map", FunctionDescriptor.of(RET, PTR, U64, U64, U64));
        vmUnmap = link(linker, framework, "hv_vm_unmap", FunctionDescriptor.of(RET, U64, U64));
        vcpuCreate = link(linker, framework, "hv_vcpu_create", FunctionDescriptor.of(RET, PTR, PTR, PTR));
        vcpuDestroy = link(linker, framework, "hv_vcpu_destroy", FunctionDescriptor.of(RET, U64));
        vcpuRun = link(linker, framework, "hv_vcpu_run", FunctionDescriptor.of(RET, U64));
        vcpusExit = link(linker, framework, "hv_vcpus_exit", FunctionDescriptor.of(RET, PTR, U32));
        getReg = link(linker, framework, "hv_vcpu_get_reg", FunctionDescriptor.of(RET, U64, U32, PTR));
        setReg = link(linker, framework, "hv_vcpu_set_reg", FunctionDescriptor.of(RET, U64, U32, U64));
        getSysReg = link(linker, framework, "hv_vcpu_get_sys_reg", FunctionDescriptor.of(RET, U64, U32, PTR));
        setSysReg = link(linker, framework, "hv_vcpu_set_sys_reg", FunctionDescriptor.of(RET, U64, U32, U64));
        getSimdFpReg = link(linker, framework, "hv_vcpu_get_simd_fp_reg", FunctionDescriptor.of(RET, U64, U32, PTR));
        // The vector argument goes in V0; a double goes in D0, whose write zeroes V0[127:64].
        setSimdFpReg = link(linker, framework, "hv_vcpu_set_simd_fp_reg",
                FunctionDescriptor.of(RET, U64, U32, ValueLayout.JAVA_DOUBLE));
        setPendingInterrupt = link(linker, framework, "hv_vcpu_set_pending_interrupt",
                FunctionDescriptor.of(RET, U64, U32, BOOL));
        getVtimerMask = link(linker, framework, "hv_vcpu_get_vtimer_mask", FunctionDescriptor.of(RET, U64, PTR));
        setVtimerMask = link(linker, framework, "hv_vcpu_set_vtimer_mask", FunctionDescriptor.of(RET, U64, BOOL));
        getVtimerOffset = link(linker, framework, "hv_vcpu_get_vtimer_offset", FunctionDescriptor.of(RET, U64, PTR));
        setVtimerOffset = link(linker, framework, "hv_vcpu_set_vtimer_offset", FunctionDescriptor.of(RET, U64, U64));
        machAbsoluteTime = link(linker, system, "mach_absolute_time", FunctionDescriptor.of(U64));
    }

    /**
     * Looks up Hypervisor.framework and libSystem and links every function. Call it only on macOS.
     *
     * @return the bindings
     * @throws IllegalArgumentException if the framework cannot be opened
     * @throws IllegalStateException if a symbol is missing
     * @throws IllegalCallerException if native access is not enabled for this module
     */
    @SuppressWarnings("restricted")
    public static FfmHvfApi load() {
        // The String overload hands the path to dlopen as is; the Path overload resolves it on disk
        // first, and the framework's binary is not on disk on macOS 11+ (dyld shared cache).
        SymbolLookup framework = SymbolLookup.libraryLookup(FRAMEWORK_PATH, Arena.global());
        return new FfmHvfApi(framework, Linker.nativeLinker().defaultLookup());
    }

    /**
     * Reads an integer sysctl with {@code sysctlbyname} (libSystem). Call it only on macOS.
     *
     * @param name e.g. {@code kern.hv_support}
     * @return the value
     * @throws IllegalStateException if the call fails or the value is not 4 or 8 bytes
     * @throws IllegalCallerException if native access is not enabled for this module
     */
    @SuppressWarnings("restricted")
    public static long sysctlInt(String name) {
        Linker linker = Linker.nativeLinker();
        MethodHandle sysctlbyname = link(linker, linker.defaultLookup(), "sysctlbyname",
                FunctionDescriptor.of(RET, PTR, PTR, PTR, PTR, U64));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(8, 8);
            MemorySegment length = arena.allocate(U64);
            length.set(U64, 0, 8);
            int rc = (int) sysctlbyname.invokeExact(arena.allocateFrom(name), value, length, MemorySegment.NULL, 0L);
            long len = length.get(U64, 0);
            if (rc != 0) {
                throw new IllegalStateException("sysctlbyname(\"" + name + "\") returned " + rc);
            }
            if (len == 4) {
                return value.get(ValueLayout.JAVA_INT, 0);
            }
            if (len == 8) {
                return value.get(U64, 0);
            }
            throw new IllegalStateException("sysctl " + name + " has " + len + " bytes, expected 4 or 8");
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("sysctlbyname downcall failed", t);
        }
    }

    @SuppressWarnings("restricted")
    private static MethodHandle link(Linker linker, SymbolLookup lookup, String name, FunctionDescriptor fd) {
        String where = name.startsWith("hv_") ? "Hypervisor.framework (macOS 11 or later on Apple silicon is required)"
                : "the C library (libSystem on macOS)";
        MemorySegment symbol = lookup.find(name).orElseThrow(() -> new IllegalStateException(
                "symbol " + name + " not found in " + where));
        return linker.downcallHandle(symbol, fd);
    }

    @Override
    public void vmCreate() {
        try {
            HvReturn.check("hv_vm_create", (int) vmCreate.invokeExact(MemorySegment.NULL));
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    @Override
    public void vmDestroy() {
        try {
            HvReturn.check("hv_vm_destroy", (int) vmDestroy.invokeExact());
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    @Override
    public void vmMap(MemorySegment host, long ipa, long size, long flags) {
        try {
            HvReturn.check("hv_vm_map", (int) vmMap.invokeExact(host, ipa, size, flags));
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    @Override
    public void vmUnmap(long ipa, long size) {
        try {
            HvReturn.check("hv_vm_unmap", (int) vmUnmap.invokeExact(ipa, size));
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    @Override
    @SuppressWarnings("restricted")
    public VCpuHandle vcpuCreate() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment vcpu = arena.allocate(U64);
            MemorySegment exit = arena.allocate(PTR);
            HvReturn.check("hv_vcpu_create", (int) vcpuCreate.invokeExact(vcpu, exit, MemorySegment.NULL));
            // The framework owns the exit structure for the vCPU's lifetime.
            MemorySegment exitInfo = exit.get(PTR, 0).reinterpret(HvVcpuExit.layout().byteSize());
            return new VCpuHandle(vcpu.get(U64, 0), exitInfo);
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    @Override
    public void vcpuDestroy(long vcpu) {
        try {
            HvReturn.check("hv_vcpu_destroy", (int) vcpuDestroy.invokeExact(vcpu));
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    @Override
    public void vcpuRun(long vcpu) {
        try {
            HvReturn.check("hv_vcpu_run", (int) vcpuRun.invokeExact(vcpu));
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    @Override
    public void vcpusExit(long vcpu) {
        // Not the owning thread's scratch: hv_vcpus_exit comes from any thread, so use a fresh cell.
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment list = arena.allocate(U64);
            list.set(U64, 0, vcpu);
            HvReturn.check("hv_vcpus_exit", (int) vcpusExit.invokeExact(list, 1));
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    @Override
    public long getReg(long vcpu, int reg) {
        MemorySegment out = SCRATCH.get();
        try {
            int rc = (int) getReg.invokeExact(vcpu, reg, out);
            if (rc != 0) {
                throw new HvfException("hv_vcpu_get_reg", rc, HvReg.name(reg));
            }
            return out.get(U64, 0);
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    @Override
    public void setReg(long vcpu, int reg, long value) {
        try {
            int rc = (int) setReg.invokeExact(vcpu, reg, value);
            if (rc != 0) {
                throw new HvfException("hv_vcpu_set_reg", rc, HvReg.name(reg));
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    @Override
    public long getSysReg(long vcpu, int reg) {
        MemorySegment out = SCRATCH.get();
        try {
            int rc = (int) getSysReg.invokeExact(vcpu, reg & 0xFFFF, out);
            if (rc != 0) {
                throw new HvfException("hv_vcpu_get_sys_reg", rc, String.format("hv_sys_reg_t 0x%04x", reg));
            }
            return out.get(U64, 0);
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    @Override
    public void setSysReg(long vcpu, int reg, long value) {
        try {
            int rc = (int) setSysReg.invokeExact(vcpu, reg & 0xFFFF, value);
            if (rc != 0) {
                throw new HvfException("hv_vcpu_set_sys_reg", rc, String.format("hv_sys_reg_t 0x%04x", reg));
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    @Override
    public Vec128 getSimdFpReg(long vcpu, int reg) {
        MemorySegment out = SCRATCH.get();
        try {
            int rc = (int) getSimdFpReg.invokeExact(vcpu, reg, out);
            if (rc != 0) {
                throw new HvfException("hv_vcpu_get_simd_fp_reg", rc, "Q" + reg);
            }
            // hv_simd_fp_uchar16_t: 16 bytes, byte 0 is bits 7:0 (little-endian).
            return new Vec128(out.get(U64, 0), out.get(U64, 8));
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>The {@code double} reaches the callee in V0 with bits 127:64 zero because every producer of a
     * Java {@code double} in a V register is a scalar write (Arm ARM: a write to Dn zeroes the rest of
     * Vn). That is an inference about the JIT, so the value is read back and compared: a mismatch is a
     * {@link org.vcpu4j.api.BackendException} instead of silently wrong guest state.
     */
    @Override
    public void setSimdFpRegLow(long vcpu, int reg, long low) {
        try {
            int rc = (int) setSimdFpReg.invokeExact(vcpu, reg, Double.longBitsToDouble(low));
            if (rc != 0) {
                throw new HvfException("hv_vcpu_set_simd_fp_reg", rc, "Q" + reg);
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        Vec128 written = getSimdFpReg(vcpu, reg);
        if (written.low() != low || written.high() != 0) {
            throw new org.vcpu4j.api.BackendException(String.format("hv_vcpu_set_simd_fp_reg(Q%d) through a double"
                    + " left %s instead of 0x%016x in bits 63:0 and 0 above: this JVM does not pass the double the way"
                    + " this backend relies on, so V registers cannot be written", reg, written, low));
        }
    }

    @Override
    public void setPendingInterrupt(long vcpu, int type, boolean pending) {
        try {
            HvReturn.check("hv_vcpu_set_pending_interrupt", (int) setPendingInterrupt.invokeExact(vcpu, type, pending));
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    @Override
    public boolean getVtimerMask(long vcpu) {
        MemorySegment out = SCRATCH.get();
        try {
            HvReturn.check("hv_vcpu_get_vtimer_mask", (int) getVtimerMask.invokeExact(vcpu, out));
            return out.get(BOOL, 0);
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    @Override
    public void setVtimerMask(long vcpu, boolean masked) {
        try {
            HvReturn.check("hv_vcpu_set_vtimer_mask", (int) setVtimerMask.invokeExact(vcpu, masked));
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    @Override
    public long getVtimerOffset(long vcpu) {
        MemorySegment out = SCRATCH.get();
        try {
            HvReturn.check("hv_vcpu_get_vtimer_offset", (int) getVtimerOffset.invokeExact(vcpu, out));
            return out.get(U64, 0);
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    @Override
    public void setVtimerOffset(long vcpu, long offset) {
        try {
            HvReturn.check("hv_vcpu_set_vtimer_offset", (int) setVtimerOffset.invokeExact(vcpu, offset));
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    @Override
    public long machAbsoluteTime() {
        try {
            return (long) machAbsoluteTime.invokeExact();
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }
}
