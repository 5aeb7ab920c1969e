package org.vcpu4j.tck.internal;

import java.util.List;
import java.util.Set;
import org.vcpu4j.property.Gen;
import org.vcpu4j.api.GuestIsa;
import org.vcpu4j.api.InterruptControllerConfig;
import org.vcpu4j.api.RegisterState;
import org.vcpu4j.api.VCpuCreateConfig;
import org.vcpu4j.api.VCpuSetupConfig;
import org.vcpu4j.api.x86_64.X86_64CreateConfig;
import org.vcpu4j.api.x86_64.X86_64SetupConfig;
import org.vcpu4j.api.x86_64.X86_64State;

/**
 * The x86-64 layout: 4 MiB of RAM at 0; code at 0x1000, the IDT at 0x8000, interrupt handlers at 0x9000,
 * setup's system tables at 0x10_0000, data at 0x20_0000; MMIO in [0x6000_0000, 0x7000_0000) (inside the
 * first 4 GiB that setup identity-maps, away from the local APIC and IOAPIC pages).
 */
public final class X86Kit implements IsaKit {
    /** The IDT. */
    public static final long IDT = 0x8000;
    /** Interrupt handlers. */
    public static final long HANDLERS = 0x9000;

    @Override
    public GuestIsa isa() {
        return GuestIsa.X86_64;
    }

    @Override
    public InterruptControllerConfig interruptController() {
        return new InterruptControllerConfig.X86Irqchip(true);
    }

    @Override
    public long ramBase() {
        return 0;
    }

    @Override
    public long ramSize() {
        return 0x40_0000;
    }

    @Override
    public long codeAddress() {
        return 0x1000;
    }

    @Override
    public long dataAddress() {
        return 0x20_0000;
    }

    @Override
    public VCpuCreateConfig createConfig(int id) {
        return new X86_64CreateConfig(id);
    }

    @Override
    public VCpuSetupConfig setupConfig(Set<Long> trappedSystemRegisters) {
        return new X86_64SetupConfig(0x10_0000);
    }

    @Override
    public byte[] halt() {
        return new byte[] {(byte) 0xF4};
    }

    @Override
    public byte[] spin() {
        return new byte[] {(byte) 0xEB, (byte) 0xFE};
    }

    @Override
    public Gen<Long> mmioAddresses() {
        return Gen.longs().between(0x6000_0000L, 0x6FFF_FFF8L).map(a -> a & ~7L);
    }

    @Override
    public long pc(RegisterState s) {
        return ((X86_64State) s).rip();
    }

    @Override
    public RegisterState withGprs(RegisterState baseline, List<Long> gprs, long pc) {
        X86_64State.Builder b = ((X86_64State) baseline).toBuilder();
        for (int i = 0; i < 16; i++) {
            b.gpr(i, gprs.get(i));
        }
        return b.rip(pc).build();
    }

    @Override
    public List<String> differences(RegisterState expected, RegisterState actual) {
        return ((X86_64State) expected).differences((X86_64State) actual);
    }

    @Override
    public long gpr(RegisterState s, int n) {
        return ((X86_64State) s).gpr(n);
    }

    @Override
    public RegisterState withGpr(RegisterState s, int n, long value) {
        return ((X86_64State) s).toBuilder().gpr(n, value).build();
    }

    @Override
    public RegisterState withPc(RegisterState s, long pc) {
        return ((X86_64State) s).toBuilder().rip(pc).build();
    }

    @Override
    public int gprCount() {
        return 16;
    }
}
