package org.vcpu4j.tck.internal;

import java.util.List;
import java.util.Set;
import org.vcpu4j.property.Gen;
import org.vcpu4j.api.GuestIsa;
import org.vcpu4j.api.InterruptControllerConfig;
import org.vcpu4j.api.RegisterState;
import org.vcpu4j.api.VCpuCreateConfig;
import org.vcpu4j.api.VCpuSetupConfig;
import org.vcpu4j.api.aarch64.Aarch64CreateConfig;
import org.vcpu4j.api.aarch64.Aarch64SetupConfig;
import org.vcpu4j.api.aarch64.Aarch64State;
import org.vcpu4j.tck.asm.A64;

/**
 * The AArch64 layout, QEMU virt style: 2 MiB of RAM at 0x4000_0000; vectors at +0x800 (VBAR_EL1 needs
 * 2 KiB alignment), code at +0x1000, data at +0x10_0000, a translation table at +0x18_0000; MMIO anywhere in [0x0900_0000, 0x3FFF_0000).
 */
public final class A64Kit implements IsaKit {
    /** RAM base. */
    public static final long RAM = 0x4000_0000L;
    /** The vector table (VBAR_EL1). */
    public static final long VECTORS = RAM + 0x800;
    /** A level-1 translation table for the rules that run with the MMU on (EXIT-005). */
    public static final long IDENTITY_L1 = RAM + 0x18_0000;

    @Override
    public GuestIsa isa() {
        return GuestIsa.AARCH64;
    }

    @Override
    public InterruptControllerConfig interruptController() {
        return InterruptControllerConfig.qemuVirtGicV3();
    }

    @Override
    public long ramBase() {
        return RAM;
    }

    @Override
    public long ramSize() {
        return 0x20_0000;
    }

    @Override
    public long codeAddress() {
        return RAM + 0x1000;
    }

    @Override
    public long dataAddress() {
        return RAM + 0x10_0000;
    }

    @Override
    public VCpuCreateConfig createConfig(int id) {
        return Aarch64CreateConfig.ofMpidr(id);
    }

    @Override
    public VCpuSetupConfig setupConfig(Set<Long> trappedSystemRegisters) {
        return new Aarch64SetupConfig(true, true, trappedSystemRegisters);
    }

    @Override
    public byte[] halt() {
        return A64.toBytes(A64.wfi());
    }

    @Override
    public byte[] spin() {
        return A64.toBytes(A64.b(0));
    }

    @Override
    public Gen<Long> mmioAddresses() {
        return Gen.longs().between(0x0900_0000L, 0x3FFE_FFF8L).map(a -> a & ~7L);
    }

    @Override
    public long pc(RegisterState s) {
        return ((Aarch64State) s).pc();
    }

    @Override
    public RegisterState withGprs(RegisterState baseline, List<Long> gprs, long pc) {
        Aarch64State.Builder b = ((Aarch64State) baseline).toBuilder();
        for (int i = 0; i < 31; i++) {
            b.x(i, gprs.get(i));
        }
        return b.pc(pc).pstate(Aarch64State.PSTATE_EL1H_MASKED | (gprs.get(0) >>> 60) << 28).build();
    }

    @Override
    public List<String> differences(RegisterState expected, RegisterState actual) {
        return ((Aarch64State) expected).differences((Aarch64State) actual).stream()
                .filter(line -> !line.startsWith("cntvct_el0:")).toList();
    }

    @Override
    public long gpr(RegisterState s, int n) {
        return ((Aarch64State) s).x(n);
    }

    @Override
    public RegisterState withGpr(RegisterState s, int n, long value) {
        return ((Aarch64State) s).toBuilder().x(n, value).build();
    }

    @Override
    public RegisterState withPc(RegisterState s, long pc) {
        return ((Aarch64State) s).toBuilder().pc(pc).build();
    }

    @Override
    public int gprCount() {
        return 31;
    }
}
