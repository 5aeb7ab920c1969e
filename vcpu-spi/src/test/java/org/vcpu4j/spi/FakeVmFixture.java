package org.vcpu4j.spi;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.vcpu4j.api.Hypervisor;
import org.vcpu4j.api.VirtualMachine;

/** A fresh VM on a {@link FakeBackend} for each test, closed after it (with its hypervisor). */
abstract class FakeVmFixture {
    FakeBackend backend;
    Hypervisor hypervisor;
    VirtualMachine vm;

    @BeforeEach
    final void openFakeVm() {
        backend = new FakeBackend();
        hypervisor = Backends.open(backend);
        vm = hypervisor.createVirtualMachine();
    }

    @AfterEach
    final void closeFakeVm() {
        hypervisor.close();
    }
}
