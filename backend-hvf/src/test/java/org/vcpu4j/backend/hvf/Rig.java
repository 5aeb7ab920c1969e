package org.vcpu4j.backend.hvf;

import org.vcpu4j.api.Hypervisor;
import org.vcpu4j.api.VCpu;
import org.vcpu4j.api.VirtualMachine;
import org.vcpu4j.api.aarch64.Aarch64CreateConfig;
import org.vcpu4j.api.aarch64.Aarch64SetupConfig;
import org.vcpu4j.spi.Availability;
import org.vcpu4j.spi.Backends;

/** The backend over a fake framework, opened through the library's wrappers, as a user gets it. */
final class Rig implements AutoCloseable {
    final FakeHvfApi api;
    final Hypervisor hypervisor;
    final VirtualMachine vm;
    final VCpu cpu;

    private Rig(FakeHvfApi api) {
        this.api = api;
        this.hypervisor = Backends.open(new HvfBackendProvider(() -> Availability.available("fake framework"), () -> api));
        this.vm = hypervisor.createVirtualMachine();
        this.cpu = vm.createVCpu(0, new Aarch64CreateConfig(0x101, 0x4800_0000L));
        cpu.setup(Aarch64SetupConfig.defaults());
    }

    /** {@return a rig with one vCPU set up but not bound} */
    static Rig unbound() {
        return new Rig(new FakeHvfApi());
    }

    /** {@return a rig with one vCPU bound to the calling thread, PC at 0x4000_0000} */
    static Rig bound() {
        Rig r = unbound();
        r.cpu.setEntry(0x4000_0000L);
        r.cpu.bind();
        return r;
    }

    /** {@return the fake vCPU behind the bound vCPU} */
    FakeHvfApi.VCpu fake() {
        return api.live();
    }

    long pc() {
        return fake().regs[org.vcpu4j.backend.hvf.sys.HvReg.PC];
    }

    @Override
    public void close() {
        hypervisor.close();
    }
}
