package org.vcpu4j.backend.hvf.sys;

import java.lang.foreign.MemorySegment;
import org.vcpu4j.api.aarch64.Vec128;

/**
 * Every Hypervisor.framework call the backend makes, and nothing else: the one seam between the backend
 * and native code. {@link FfmHvfApi} implements it with downcalls; tests implement it with a fake that
 * replays recorded exits.
 *
 * <p>Each method is one framework function (named in its documentation) and throws {@link HvfException}
 * naming that function and the {@code hv_return_t} when the framework reports an error. Methods that
 * take a vCPU must be called on the thread that created it, except {@link #vcpusExit}.
 */
public interface HvfApi {

    /**
     * A vCPU created by {@link #vcpuCreate}.
     *
     * @param vcpu the {@code hv_vcpu_t}
     * @param exit the vCPU's {@code hv_vcpu_exit_t} (see {@link HvVcpuExit}), filled by {@link #vcpuRun}
     */
    record VCpuHandle(long vcpu, MemorySegment exit) {}

    /** {@code hv_vm_create(NULL)}: creates the process's VM. */
    void vmCreate();

    /** {@code hv_vm_destroy()}: destroys the process's VM. */
    void vmDestroy();

    /**
     * {@code hv_vm_map(uva, ipa, size, flags)}.
     *
     * @param host the host memory (native, 16 KiB aligned)
     * @param ipa the guest-physical address
     * @param size the size in bytes, a multiple of 16 KiB
     * @param flags {@code HV_MEMORY_READ | HV_MEMORY_WRITE | HV_MEMORY_EXEC} bits ({@link HvReg})
     */
    void vmMap(MemorySegment host, long ipa, long size, long flags);

    /**
     * {@code hv_vm_unmap(ipa, size)}.
     *
     * @param ipa the guest-physical address
     * @param size the size in bytes
     */
    void vmUnmap(long ipa, long size);

    /**
     * {@code hv_vcpu_create(&vcpu, &exit, NULL)}: creates a vCPU owned by the calling thread.
     *
     * @return the vCPU and its exit structure
     */
    VCpuHandle vcpuCreate();

    /** @param vcpu {@code hv_vcpu_destroy(vcpu)}, on the owning thread */
    void vcpuDestroy(long vcpu);

    /** @param vcpu {@code hv_vcpu_run(vcpu)}: runs until an exit, which it describes in the exit structure */
    void vcpuRun(long vcpu);

    /** @param vcpu {@code hv_vcpus_exit(&vcpu, 1)}: makes a run return CANCELED; callable from any thread */
    void vcpusExit(long vcpu);

    /**
     * {@code hv_vcpu_get_reg}.
     *
     * @param vcpu the vCPU
     * @param reg an {@code hv_reg_t} ({@link HvReg})
     * @return the value
     */
    long getReg(long vcpu, int reg);

    /**
     * {@code hv_vcpu_set_reg}.
     *
     * @param vcpu the vCPU
     * @param reg an {@code hv_reg_t} ({@link HvReg})
     * @param value the value
     */
    void setReg(long vcpu, int reg, long value);

    /**
     * {@code hv_vcpu_get_sys_reg}.
     *
     * @param vcpu the vCPU
     * @param reg an {@code hv_sys_reg_t}
     * @return the value
     */
    long getSysReg(long vcpu, int reg);

    /**
     * {@code hv_vcpu_set_sys_reg}.
     *
     * @param vcpu the vCPU
     * @param reg an {@code hv_sys_reg_t}
     * @param value the value
     */
    void setSysReg(long vcpu, int reg, long value);

    /**
     * {@code hv_vcpu_get_simd_fp_reg(vcpu, reg, &value)} (by reference: fully supported).
     *
     * @param vcpu the vCPU
     * @param reg 0-31 ({@code HV_SIMD_FP_REG_Qn})
     * @return the 128-bit value
     */
    Vec128 getSimdFpReg(long vcpu, int reg);

    /**
     * {@code hv_vcpu_set_simd_fp_reg(vcpu, reg, value)} with bits 127:64 of {@code value} zero. The
     * function takes a 128-bit vector by value, in V0 (AAPCS64 short vector); a downcall cannot pass a
     * vector, but it can pass a {@code double} in D0, and an AArch64 write of D0 clears bits 127:64 of
     * V0. So only values whose upper half is zero can be written.
     *
     * @param vcpu the vCPU
     * @param reg 0-31 ({@code HV_SIMD_FP_REG_Qn})
     * @param low bits 63:0; bits 127:64 become 0
     */
    void setSimdFpRegLow(long vcpu, int reg, long low);

    /**
     * {@code hv_vcpu_set_pending_interrupt}.
     *
     * @param vcpu the vCPU
     * @param type {@link HvReg#INTERRUPT_IRQ} or {@link HvReg#INTERRUPT_FIQ}
     * @param pending whether the line is asserted for the next run
     */
    void setPendingInterrupt(long vcpu, int type, boolean pending);

    /**
     * {@code hv_vcpu_get_vtimer_mask}.
     *
     * @param vcpu the vCPU
     * @return whether the virtual timer is masked
     */
    boolean getVtimerMask(long vcpu);

    /**
     * {@code hv_vcpu_set_vtimer_mask}.
     *
     * @param vcpu the vCPU
     * @param masked whether the virtual timer is masked
     */
    void setVtimerMask(long vcpu, boolean masked);

    /**
     * {@code hv_vcpu_get_vtimer_offset}.
     *
     * @param vcpu the vCPU
     * @return the offset subtracted from the host count to give the guest's virtual count
     */
    long getVtimerOffset(long vcpu);

    /**
     * {@code hv_vcpu_set_vtimer_offset}.
     *
     * @param vcpu the vCPU
     * @param offset the new offset
     */
    void setVtimerOffset(long vcpu, long offset);

    /** {@return {@code mach_absolute_time()}: the host count the guest's virtual count derives from} */
    long machAbsoluteTime();
}
