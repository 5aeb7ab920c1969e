package org.vcpu4j.backend.hvf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.vcpu4j.api.aarch64.Vec128;
import org.vcpu4j.backend.hvf.sys.HvReg;
import org.vcpu4j.backend.hvf.sys.HvReturn;
import org.vcpu4j.backend.hvf.sys.HvSysReg;
import org.vcpu4j.backend.hvf.sys.HvVcpuExit;
import org.vcpu4j.backend.hvf.sys.HvfApi;
import org.vcpu4j.backend.hvf.sys.HvfException;
import org.vcpu4j.spi.aarch64.Esr;

/**
 * A fake Hypervisor.framework: one VM, vCPUs with register files, and {@code hv_vcpu_run} replaying
 * exits recorded as (reason, syndrome, virtual address, IPA) tuples. It enforces the framework's rules
 * (one VM, owning thread) by failing the way the framework would, and records what the backend did.
 */
final class FakeHvfApi implements HvfApi {
    /** A recorded exit; {@link #WAIT_FOR_KICK} as reason blocks the run until {@code hv_vcpus_exit}. */
    record Exit(int reason, long syndrome, long virtualAddress, long ipa) {}

    /** Pseudo reason: block in hv_vcpu_run until hv_vcpus_exit, then report CANCELED. */
    static final int WAIT_FOR_KICK = -1;

    /** The state of one fake vCPU. */
    static final class VCpu {
        final long id;
        final Thread owner;
        final MemorySegment exit = Arena.ofAuto().allocate(HvVcpuExit.layout());
        final long[] regs = new long[HvReg.COUNT];
        final Map<Integer, Long> sysRegs = new HashMap<>();
        final long[] simd = new long[64];
        long vtimerOffset;
        boolean vtimerMasked;
        boolean irqLine;
        boolean destroyed;
        boolean kickPending;
        /** Per run: whether the IRQ line was asserted when the run started. */
        final List<Boolean> irqAtRun = new ArrayList<>();
        /** Per run: whether the vtimer was masked when the run started. */
        final List<Boolean> vtimerMaskAtRun = new ArrayList<>();
        volatile boolean running;

        VCpu(long id, Thread owner) {
            this.id = id;
            this.owner = owner;
        }

        long sys(int code) {
            return sysRegs.getOrDefault(code, 0L);
        }
    }

    /** A recorded hv_vm_map. */
    record Mapping(long host, long ipa, long size, long flags) {}

    final Deque<Exit> script = new ArrayDeque<>();
    final Map<Long, VCpu> vcpus = new HashMap<>();
    final List<VCpu> created = new ArrayList<>();
    final List<Mapping> mappings = new ArrayList<>();
    final Map<Long, MemorySegment> memory = new HashMap<>();
    int stubRuns;
    /** Makes the vector-load stub fault, as a guest whose stub page were unreadable would. */
    boolean breakStub;
    final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    final Map<String, Integer> failures = new HashMap<>();
    boolean vmExists;
    int vmCreates;
    long clock = 1_000_000;
    private long nextId = 1;

    // ---- scripting -----------------------------------------------------------------------------------

    FakeHvfApi exit(int reason, long syndrome, long virtualAddress, long ipa) {
        script.add(new Exit(reason, syndrome, virtualAddress, ipa));
        return this;
    }

    FakeHvfApi exception(long syndrome, long ipa) {
        return exit(HvVcpuExit.REASON_EXCEPTION, syndrome, 0xFFFF_0000_0000_0000L | ipa, ipa);
    }

    FakeHvfApi fail(String call, HvReturn code) {
        failures.put(call, code.code());
        return this;
    }

    /** {@return the only vCPU created so far that is not destroyed} */
    VCpu live() {
        return vcpus.values().stream().filter(v -> !v.destroyed).reduce((a, b) -> {
            throw new AssertionError("more than one live vCPU");
        }).orElseThrow(() -> new AssertionError("no live vCPU"));
    }

    private void check(String call) {
        calls.add(call);
        Integer code = failures.get(call);
        if (code != null) {
            throw new HvfException(call, code);
        }
    }

    private VCpu owned(String call, long vcpu) {
        check(call);
        VCpu v = vcpus.get(vcpu);
        if (v == null || v.destroyed) {
            throw new HvfException(call, HvReturn.HV_BAD_ARGUMENT.code(), "no vCPU " + vcpu);
        }
        if (v.owner != Thread.currentThread()) {
            throw new AssertionError(call + " on " + Thread.currentThread() + " but vCPU " + vcpu + " belongs to "
                    + v.owner);
        }
        return v;
    }

    // ---- HvfApi -----------------------------------------------------------------------------------------

    @Override
    public synchronized void vmCreate() {
        check("hv_vm_create");
        if (vmExists) {
            throw new HvfException("hv_vm_create", HvReturn.HV_BUSY.code());
        }
        vmExists = true;
        vmCreates++;
    }

    @Override
    public synchronized void vmDestroy() {
        check("hv_vm_destroy");
        if (!vmExists) {
            throw new HvfException("hv_vm_destroy", HvReturn.HV_BAD_ARGUMENT.code());
        }
        if (vcpus.values().stream().anyMatch(v -> !v.destroyed)) {
            throw new HvfException("hv_vm_destroy", HvReturn.HV_BUSY.code(), "vCPUs are alive");
        }
        vmExists = false;
    }

    @Override
    public synchronized void vmMap(MemorySegment host, long ipa, long size, long flags) {
        check("hv_vm_map");
        mappings.add(new Mapping(host.address(), ipa, size, flags));
        memory.put(ipa, host);
    }

    @Override
    public synchronized void vmUnmap(long ipa, long size) {
        check("hv_vm_unmap");
        memory.remove(ipa);
        if (!mappings.removeIf(m -> m.ipa() == ipa && m.size() == size)) {
            throw new HvfException("hv_vm_unmap", HvReturn.HV_BAD_ARGUMENT.code());
        }
    }

    @Override
    public synchronized VCpuHandle vcpuCreate() {
        check("hv_vcpu_create");
        if (!vmExists) {
            throw new HvfException("hv_vcpu_create", HvReturn.HV_NO_DEVICE.code());
        }
        VCpu v = new VCpu(nextId++, Thread.currentThread());
        vcpus.put(v.id, v);
        created.add(v);
        return new VCpuHandle(v.id, v.exit);
    }

    @Override
    public synchronized void vcpuDestroy(long vcpu) {
        owned("hv_vcpu_destroy", vcpu).destroyed = true;
    }

    @Override
    public void vcpuRun(long vcpu) {
        VCpu v;
        Exit e;
        synchronized (this) {
            v = owned("hv_vcpu_run", vcpu);
            v.irqAtRun.add(v.irqLine);
            v.vtimerMaskAtRun.add(v.vtimerMasked);
            if (v.kickPending) {
                v.kickPending = false;
                e = new Exit(HvVcpuExit.REASON_CANCELED, 0, 0, 0);
            } else if (v.regs[HvReg.PC] == HvfVm.SCRATCH_IPA) {
                e = executeStub(v);
            } else {
                e = script.poll();
                if (e == null) {
                    throw new AssertionError("hv_vcpu_run: no more exits are scripted");
                }
            }
            v.running = true;
        }
        try {
            if (e.reason() == WAIT_FOR_KICK) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                synchronized (this) {
                    while (!v.kickPending) {
                        long left = deadline - System.nanoTime();
                        if (left <= 0) {
                            throw new AssertionError("hv_vcpu_run: nobody called hv_vcpus_exit");
                        }
                        try {
                            TimeUnit.NANOSECONDS.timedWait(this, left);
                        } catch (InterruptedException ie) {
                            Thread.currentThread().interrupt();
                            throw new AssertionError(ie);
                        }
                    }
                    v.kickPending = false;
                }
                e = new Exit(HvVcpuExit.REASON_CANCELED, 0, 0, 0);
            }
        } finally {
            v.running = false;
        }
        synchronized (this) {
            HvVcpuExit.set(v.exit, e.reason(), e.syndrome(), e.virtualAddress(), e.ipa());
            // The framework masks the vtimer on VTIMER_ACTIVATED and drops the IRQ line when the run returns.
            if (e.reason() == HvVcpuExit.REASON_VTIMER_ACTIVATED) {
                v.vtimerMasked = true;
            }
            v.irqLine = false;
        }
    }

    /** Interprets the backend's vector-load stub: LDP (SIMD&FP, 128-bit, signed offset) and HVC only. */
    private Exit executeStub(VCpu v) {
        stubRuns++;
        Exit undefined = new Exit(HvVcpuExit.REASON_EXCEPTION, Esr.encode(Esr.EC_UNKNOWN, true, 0), 0, 0);
        boolean el1h = (v.regs[HvReg.CPSR] & 0xF) == 5 && (v.regs[HvReg.CPSR] & 0x80) != 0;
        boolean mmuOff = (v.sys(HvSysReg.SCTLR_EL1.code()) & 1) == 0;
        boolean fpOn = (v.sys(HvSysReg.CPACR_EL1.code()) >>> 20 & 3) == 3;
        if (!el1h || !mmuOff || !fpOn || breakStub) {
            return undefined;
        }
        ValueLayout.OfInt word = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        ValueLayout.OfLong dword = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        for (int step = 0; step < 64; step++) {
            long pc = v.regs[HvReg.PC];
            int insn = at(pc).get(word, 0);
            if ((insn & 0xFFC0_0000) == 0xAD40_0000) {
                int rt = insn & 31;
                int rn = insn >>> 5 & 31;
                int rt2 = insn >>> 10 & 31;
                long imm = (long) (insn << 10 >> 25) * 16; // imm7, bits 21:15, signed, scaled by 16
                long address = (rn == 31 ? 0 : v.regs[rn]) + imm;
                MemorySegment m = at(address);
                v.simd[2 * rt] = m.get(dword, 0);
                v.simd[2 * rt + 1] = m.get(dword, 8);
                v.simd[2 * rt2] = m.get(dword, 16);
                v.simd[2 * rt2 + 1] = m.get(dword, 24);
                v.regs[HvReg.PC] = pc + 4;
            } else if ((insn & 0xFFE0_001F) == 0xD400_0002) {
                v.regs[HvReg.PC] = pc + 4; // HVC: ELR_EL2 is past it
                return new Exit(HvVcpuExit.REASON_EXCEPTION, Esr.encode(Esr.EC_HVC64, true, insn >>> 5 & 0xFFFF), 0, 0);
            } else {
                return undefined;
            }
        }
        return undefined;
    }

    /** {@return the mapped memory from a guest-physical address on} */
    private MemorySegment at(long ipa) {
        for (Mapping m : mappings) {
            if (ipa >= m.ipa() && ipa < m.ipa() + m.size()) {
                return memory.get(m.ipa()).asSlice(ipa - m.ipa());
            }
        }
        throw new AssertionError(String.format("no memory at IPA 0x%x", ipa));
    }

    @Override
    public synchronized void vcpusExit(long vcpu) {
        check("hv_vcpus_exit");
        VCpu v = vcpus.get(vcpu);
        if (v == null || v.destroyed) {
            throw new HvfException("hv_vcpus_exit", HvReturn.HV_BAD_ARGUMENT.code());
        }
        v.kickPending = true;
        notifyAll();
    }

    /** {@return whether the vCPU is inside hv_vcpu_run} */
    boolean running(long vcpu) {
        VCpu v;
        synchronized (this) {
            v = vcpus.get(vcpu);
        }
        return v != null && v.running;
    }

    @Override
    public synchronized long getReg(long vcpu, int reg) {
        return owned("hv_vcpu_get_reg", vcpu).regs[checkReg(reg)];
    }

    @Override
    public synchronized void setReg(long vcpu, int reg, long value) {
        owned("hv_vcpu_set_reg", vcpu).regs[checkReg(reg)] = value;
    }

    private static int checkReg(int reg) {
        if (reg < 0 || reg >= HvReg.COUNT) {
            throw new HvfException("hv_vcpu_get_reg", HvReturn.HV_BAD_ARGUMENT.code());
        }
        return reg;
    }

    @Override
    public synchronized long getSysReg(long vcpu, int reg) {
        return owned("hv_vcpu_get_sys_reg", vcpu).sys(reg);
    }

    @Override
    public synchronized void setSysReg(long vcpu, int reg, long value) {
        owned("hv_vcpu_set_sys_reg", vcpu).sysRegs.put(reg, value);
    }

    @Override
    public synchronized Vec128 getSimdFpReg(long vcpu, int reg) {
        VCpu v = owned("hv_vcpu_get_simd_fp_reg", vcpu);
        return new Vec128(v.simd[2 * reg], v.simd[2 * reg + 1]);
    }

    @Override
    public synchronized void setSimdFpRegLow(long vcpu, int reg, long low) {
        VCpu v = owned("hv_vcpu_set_simd_fp_reg", vcpu);
        v.simd[2 * reg] = low;
        v.simd[2 * reg + 1] = 0;
    }

    @Override
    public synchronized void setPendingInterrupt(long vcpu, int type, boolean pending) {
        VCpu v = owned("hv_vcpu_set_pending_interrupt", vcpu);
        if (type != HvReg.INTERRUPT_IRQ) {
            throw new AssertionError("only IRQ is used, not " + type);
        }
        v.irqLine = pending;
    }

    @Override
    public synchronized boolean getVtimerMask(long vcpu) {
        return owned("hv_vcpu_get_vtimer_mask", vcpu).vtimerMasked;
    }

    @Override
    public synchronized void setVtimerMask(long vcpu, boolean masked) {
        owned("hv_vcpu_set_vtimer_mask", vcpu).vtimerMasked = masked;
    }

    @Override
    public synchronized long getVtimerOffset(long vcpu) {
        return owned("hv_vcpu_get_vtimer_offset", vcpu).vtimerOffset;
    }

    @Override
    public synchronized void setVtimerOffset(long vcpu, long offset) {
        owned("hv_vcpu_set_vtimer_offset", vcpu).vtimerOffset = offset;
    }

    @Override
    public synchronized long machAbsoluteTime() {
        return clock;
    }
}
