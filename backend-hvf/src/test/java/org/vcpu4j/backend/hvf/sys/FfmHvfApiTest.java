package org.vcpu4j.backend.hvf.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.vcpu4j.api.aarch64.Vec128;

/**
 * Runs the real downcall bindings against "framework functions" that are Java upcall stubs, so the
 * marshalling (argument order and widths, out-parameters, the exit-structure pointer, error codes) is
 * exercised on any OS. It cannot check Apple's calling convention itself: these stubs use the host's.
 */
class FfmHvfApiTest {
    static final ValueLayout.OfInt I = ValueLayout.JAVA_INT;
    static final ValueLayout.OfLong L = ValueLayout.JAVA_LONG;
    static final java.lang.foreign.AddressLayout A = ValueLayout.ADDRESS;
    static final ValueLayout.OfBoolean B = ValueLayout.JAVA_BOOLEAN;

    static final List<String> CALLS = new ArrayList<>();
    static MemorySegment exitStruct;
    static int runResult;
    static final long[] SIMD = new long[64];
    static long simdHighNoise;

    private Arena arena;
    private FfmHvfApi api;

    // ---- the fake natives ------------------------------------------------------------------------

    static int hvVmCreate(MemorySegment config) {
        CALLS.add("vm_create " + config.address());
        return 0;
    }

    static int hvVmDestroy() {
        CALLS.add("vm_destroy");
        return 0;
    }

    static int hvVmMap(MemorySegment uva, long ipa, long size, long flags) {
        CALLS.add(String.format("vm_map 0x%x 0x%x 0x%x %d", uva.address(), ipa, size, flags));
        return 0;
    }

    static int hvVmUnmap(long ipa, long size) {
        CALLS.add(String.format("vm_unmap 0x%x 0x%x", ipa, size));
        return HvReturn.HV_BAD_ARGUMENT.code();
    }

    @SuppressWarnings("restricted")
    static int hvVcpuCreate(MemorySegment vcpu, MemorySegment exit, MemorySegment config) {
        vcpu.reinterpret(8).set(L, 0, 42L);
        exit.reinterpret(8).set(A, 0, exitStruct);
        CALLS.add("vcpu_create " + config.address());
        return 0;
    }

    static int hvVcpuDestroy(long vcpu) {
        CALLS.add("vcpu_destroy " + vcpu);
        return 0;
    }

    static int hvVcpuRun(long vcpu) {
        HvVcpuExit.set(exitStruct, HvVcpuExit.REASON_EXCEPTION, 0x5A00_0000L, 0x1234, 0x5678);
        CALLS.add("vcpu_run " + vcpu);
        return runResult;
    }

    @SuppressWarnings("restricted")
    static int hvVcpusExit(MemorySegment list, int count) {
        CALLS.add("vcpus_exit " + list.reinterpret(8L * count).get(L, 0) + " x" + count);
        return 0;
    }

    @SuppressWarnings("restricted")
    static int hvVcpuGetReg(long vcpu, int reg, MemorySegment out) {
        out.reinterpret(8).set(L, 0, vcpu << 32 | reg);
        return reg < 35 ? 0 : HvReturn.HV_BAD_ARGUMENT.code();
    }

    static int hvVcpuSetReg(long vcpu, int reg, long value) {
        CALLS.add(String.format("set_reg %d %d 0x%x", vcpu, reg, value));
        return 0;
    }

    @SuppressWarnings("restricted")
    static int hvVcpuGetSysReg(long vcpu, int reg, MemorySegment out) {
        out.reinterpret(8).set(L, 0, reg);
        return 0;
    }

    static int hvVcpuSetSysReg(long vcpu, int reg, long value) {
        CALLS.add(String.format("set_sys_reg %d 0x%x 0x%x", vcpu, reg, value));
        return 0;
    }

    @SuppressWarnings("restricted")
    static int hvVcpuGetSimdFpReg(long vcpu, int reg, MemorySegment out) {
        MemorySegment v = out.reinterpret(16);
        v.set(L, 0, SIMD[2 * reg]);
        v.set(L, 8, SIMD[2 * reg + 1]);
        return 0;
    }

    static int hvVcpuSetSimdFpReg(long vcpu, int reg, double value) {
        CALLS.add(String.format("set_simd %d %d 0x%x", vcpu, reg, Double.doubleToRawLongBits(value)));
        SIMD[2 * reg] = Double.doubleToRawLongBits(value);
        SIMD[2 * reg + 1] = simdHighNoise;
        return 0;
    }

    static int hvVcpuSetPendingInterrupt(long vcpu, int type, boolean pending) {
        CALLS.add("pending " + vcpu + " " + type + " " + pending);
        return 0;
    }

    @SuppressWarnings("restricted")
    static int hvVcpuGetVtimerMask(long vcpu, MemorySegment out) {
        out.reinterpret(1).set(B, 0, true);
        return 0;
    }

    static int hvVcpuSetVtimerMask(long vcpu, boolean masked) {
        CALLS.add("vtimer_mask " + masked);
        return 0;
    }

    @SuppressWarnings("restricted")
    static int hvVcpuGetVtimerOffset(long vcpu, MemorySegment out) {
        out.reinterpret(8).set(L, 0, 0x77L);
        return 0;
    }

    static int hvVcpuSetVtimerOffset(long vcpu, long offset) {
        CALLS.add("vtimer_offset " + offset);
        return 0;
    }

    static long machAbsoluteTime() {
        return 123_456_789L;
    }

    // ---- wiring ---------------------------------------------------------------------------------------

    @BeforeEach
    void link() throws ReflectiveOperationException {
        CALLS.clear();
        runResult = 0;
        simdHighNoise = 0;
        java.util.Arrays.fill(SIMD, 0);
        SIMD[14] = 0x1111_0007L;
        SIMD[15] = 0x2222_0007L;
        arena = Arena.ofShared();
        exitStruct = arena.allocate(HvVcpuExit.layout());
        Map<String, MemorySegment> symbols = new HashMap<>();
        stub(symbols, "hv_vm_create", "hvVmCreate", FunctionDescriptor.of(I, A));
        stub(symbols, "hv_vm_destroy", "hvVmDestroy", FunctionDescriptor.of(I));
        stub(symbols, "hv_vm_map", "hvVmMap", FunctionDescriptor.of(I, A, L, L, L));
        stub(symbols, "hv_vm_unmap", "hvVmUnmap", FunctionDescriptor.of(I, L, L));
        stub(symbols, "hv_vcpu_create", "hvVcpuCreate", FunctionDescriptor.of(I, A, A, A));
        stub(symbols, "hv_vcpu_destroy", "hvVcpuDestroy", FunctionDescriptor.of(I, L));
        stub(symbols, "hv_vcpu_run", "hvVcpuRun", FunctionDescriptor.of(I, L));
        stub(symbols, "hv_vcpus_exit", "hvVcpusExit", FunctionDescriptor.of(I, A, I));
        stub(symbols, "hv_vcpu_get_reg", "hvVcpuGetReg", FunctionDescriptor.of(I, L, I, A));
        stub(symbols, "hv_vcpu_set_reg", "hvVcpuSetReg", FunctionDescriptor.of(I, L, I, L));
        stub(symbols, "hv_vcpu_get_sys_reg", "hvVcpuGetSysReg", FunctionDescriptor.of(I, L, I, A));
        stub(symbols, "hv_vcpu_set_sys_reg", "hvVcpuSetSysReg", FunctionDescriptor.of(I, L, I, L));
        stub(symbols, "hv_vcpu_get_simd_fp_reg", "hvVcpuGetSimdFpReg", FunctionDescriptor.of(I, L, I, A));
        stub(symbols, "hv_vcpu_set_simd_fp_reg", "hvVcpuSetSimdFpReg",
                FunctionDescriptor.of(I, L, I, ValueLayout.JAVA_DOUBLE));
        stub(symbols, "hv_vcpu_set_pending_interrupt", "hvVcpuSetPendingInterrupt", FunctionDescriptor.of(I, L, I, B));
        stub(symbols, "hv_vcpu_get_vtimer_mask", "hvVcpuGetVtimerMask", FunctionDescriptor.of(I, L, A));
        stub(symbols, "hv_vcpu_set_vtimer_mask", "hvVcpuSetVtimerMask", FunctionDescriptor.of(I, L, B));
        stub(symbols, "hv_vcpu_get_vtimer_offset", "hvVcpuGetVtimerOffset", FunctionDescriptor.of(I, L, A));
        stub(symbols, "hv_vcpu_set_vtimer_offset", "hvVcpuSetVtimerOffset", FunctionDescriptor.of(I, L, L));
        stub(symbols, "mach_absolute_time", "machAbsoluteTime", FunctionDescriptor.of(L));
        SymbolLookup lookup = name -> Optional.ofNullable(symbols.get(name));
        api = new FfmHvfApi(lookup, lookup);
    }

    @SuppressWarnings("restricted")
    private void stub(Map<String, MemorySegment> symbols, String symbol, String method, FunctionDescriptor fd)
            throws ReflectiveOperationException {
        MethodType type = fd.toMethodType();
        MethodHandle target = MethodHandles.lookup().findStatic(FfmHvfApiTest.class, method, type);
        symbols.put(symbol, Linker.nativeLinker().upcallStub(target, fd, arena));
    }

    @AfterEach
    void unlink() {
        arena.close();
    }

    // ---- tests ----------------------------------------------------------------------------------------

    @Test
    void vmCallsPassTheirArguments() {
        api.vmCreate();
        MemorySegment host = arena.allocate(0x4000, 0x4000);
        api.vmMap(host, 0x4000_0000L, 0x4000, 7);
        api.vmDestroy();
        assertEquals(List.of("vm_create 0", String.format("vm_map 0x%x 0x40000000 0x4000 7", host.address()),
                "vm_destroy"), CALLS);
    }

    @Test
    void anErrorCodeBecomesAnHvfExceptionNamingTheCall() {
        HvfException e = assertThrows(HvfException.class, () -> api.vmUnmap(0x8000, 0x4000));
        assertEquals("hv_vm_unmap", e.call());
        assertEquals(HvReturn.HV_BAD_ARGUMENT, e.hvReturn());
        runResult = HvReturn.HV_ILLEGAL_GUEST_STATE.code();
        e = assertThrows(HvfException.class, () -> api.vcpuRun(42));
        assertTrue(e.getMessage().startsWith("hv_vcpu_run failed: HV_ILLEGAL_GUEST_STATE"), e.getMessage());
    }

    @Test
    void vcpuCreateReturnsTheHandleAndTheFrameworksExitStructure() {
        HvfApi.VCpuHandle h = api.vcpuCreate();
        assertEquals(42, h.vcpu());
        assertEquals(exitStruct.address(), h.exit().address());
        assertEquals(32, h.exit().byteSize());
        api.vcpuRun(h.vcpu());
        assertEquals(HvVcpuExit.REASON_EXCEPTION, HvVcpuExit.reason(h.exit()));
        assertEquals(0x5A00_0000L, HvVcpuExit.syndrome(h.exit()));
        assertEquals(0x5678, HvVcpuExit.physicalAddress(h.exit()));
        api.vcpusExit(h.vcpu());
        api.vcpuDestroy(h.vcpu());
        assertEquals(List.of("vcpu_create 0", "vcpu_run 42", "vcpus_exit 42 x1", "vcpu_destroy 42"), CALLS);
    }

    @Test
    void registerCallsMarshalTheirValuesAndOutParameters() {
        assertEquals(42L << 32 | 31, api.getReg(42, HvReg.PC));
        HvfException e = assertThrows(HvfException.class, () -> api.getReg(42, 99));
        assertTrue(e.getMessage().endsWith("hv_reg_t 99"), e.getMessage());
        assertEquals(0xc005, api.getSysReg(42, 0xc005), "hv_sys_reg_t arrives zero-extended");
        assertEquals(new Vec128(0x1111_0007L, 0x2222_0007L), api.getSimdFpReg(42, 7));
        assertTrue(api.getVtimerMask(42));
        assertEquals(0x77, api.getVtimerOffset(42));
        assertEquals(123_456_789L, api.machAbsoluteTime());
        api.setReg(42, 3, -1);
        api.setSysReg(42, 0xe208, 0x1000);
        api.setSimdFpRegLow(42, 5, 0x7FF8_0000_0000_0001L);
        api.setPendingInterrupt(42, HvReg.INTERRUPT_IRQ, true);
        api.setVtimerMask(42, false);
        api.setVtimerOffset(42, 5);
        assertEquals(List.of("set_reg 42 3 0xffffffffffffffff", "set_sys_reg 42 0xe208 0x1000",
                "set_simd 42 5 0x7ff8000000000001", "pending 42 0 true", "vtimer_mask false", "vtimer_offset 5"),
                CALLS, "a NaN payload survives the double: the bits are passed unchanged");
    }

    @Test
    void aSimdWriteIsVerifiedByReadingItBack() {
        api.setSimdFpRegLow(42, 9, 0x0123_4567_89AB_CDEFL);
        assertEquals(new Vec128(0x0123_4567_89AB_CDEFL, 0), api.getSimdFpReg(42, 9));
        simdHighNoise = 0x5555;
        org.vcpu4j.api.BackendException e = assertThrows(org.vcpu4j.api.BackendException.class,
                () -> api.setSimdFpRegLow(42, 9, 1));
        assertTrue(e.getMessage().contains("Q9"), e.getMessage());
        assertTrue(e.getMessage().contains("cannot be written"), e.getMessage());
    }

    @Test
    void aMissingSymbolIsNamed() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new FfmHvfApi(name -> Optional.empty(), name -> Optional.empty()));
        assertTrue(e.getMessage().contains("hv_vm_create"), e.getMessage());
    }

    @Test
    void theFrameworkIsNotLookedUpOutsideMacOs() {
        org.junit.jupiter.api.Assumptions.assumeFalse(System.getProperty("os.name").startsWith("Mac"));
        assertThrows(IllegalArgumentException.class, FfmHvfApi::load,
                "on Linux the framework path does not open; load() is only called on macOS");
    }
}
