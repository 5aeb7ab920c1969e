package org.vcpu4j.backend.hvf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.vcpu4j.api.BackendException;
import org.vcpu4j.api.Hypervisor;
import org.vcpu4j.api.MemoryMapException;
import org.vcpu4j.api.MemoryRegion;
import org.vcpu4j.api.VirtualMachine;
import org.vcpu4j.backend.hvf.sys.HvReturn;
import org.vcpu4j.spi.Availability;
import org.vcpu4j.spi.Backends;

class HvfVmTest {

    static Hypervisor open(FakeHvfApi api) {
        return Backends.open(new HvfBackendProvider(() -> Availability.available("fake"), () -> api));
    }

    @Test
    void aSecondVmWhileOneIsOpenIsRefusedBeforeTheFrameworkIsAsked() {
        FakeHvfApi api = new FakeHvfApi();
        try (Hypervisor hv = open(api)) {
            VirtualMachine first = hv.createVirtualMachine();
            BackendException e = assertThrows(BackendException.class, hv::createVirtualMachine);
            assertTrue(e.getMessage().contains("one VM per process"), e.getMessage());
            assertEquals(1, api.vmCreates);
            try (Hypervisor other = open(new FakeHvfApi())) {
                assertThrows(BackendException.class, other::createVirtualMachine, "the rule is per process");
            }
            first.close();
            assertFalse(api.vmExists);
            hv.createVirtualMachine().close();
            assertEquals(2, api.vmCreates);
        }
    }

    @Test
    void aDeniedVmCreateExplainsTheEntitlementAndFreesTheSlot() {
        FakeHvfApi api = new FakeHvfApi().fail("hv_vm_create", HvReturn.HV_DENIED);
        try (Hypervisor hv = open(api)) {
            BackendException e = assertThrows(BackendException.class, hv::createVirtualMachine);
            assertTrue(e.getMessage().contains("com.apple.security.hypervisor"), e.getMessage());
            assertTrue(e.getMessage().contains("codesign"), e.getMessage());
            api.failures.clear();
            hv.createVirtualMachine().close();
        }
    }

    @Test
    void otherVmCreateFailuresNameTheCall() {
        FakeHvfApi api = new FakeHvfApi().fail("hv_vm_create", HvReturn.HV_NO_RESOURCES);
        try (Hypervisor hv = open(api)) {
            BackendException e = assertThrows(BackendException.class, hv::createVirtualMachine);
            assertEquals("hv_vm_create failed: HV_NO_RESOURCES 0xfae94005 (" + HvReturn.HV_NO_RESOURCES.meaning() + ")",
                    e.getMessage());
        }
    }

    @Test
    void memoryIsMappedIn16KiBPagesWithItsPermissions() {
        FakeHvfApi api = new FakeHvfApi();
        try (Hypervisor hv = open(api); VirtualMachine vm = hv.createVirtualMachine(); Arena arena = Arena.ofShared()) {
            assertEquals(16384, vm.memory().granule());
            assertEquals((1L << 36) - 0x4000, vm.memory().addressLimit(), "the last page is the backend's scratch page");
            MemoryRegion ram = vm.mapRam(0x4000_0000L, 0x8000);
            MemorySegment romHost = arena.allocate(0x4000, 0x4000);
            vm.map(MemoryRegion.rom(0x0, romHost));
            assertEquals(List.of(new FakeHvfApi.Mapping(ram.host().address(), 0x4000_0000L, 0x8000, 7),
                    new FakeHvfApi.Mapping(romHost.address(), 0, 0x4000, 5)), api.mappings);
            MemoryMapException misaligned = assertThrows(MemoryMapException.class, () -> vm.mapRam(0x5000_0000L, 0x1000));
            assertTrue(misaligned.getMessage().contains("0x4000"), misaligned.getMessage());
            vm.unmap(0);
            assertEquals(1, api.mappings.size());
        }
    }

    @Test
    void heapMemoryAndFrameworkRefusalsAreMemoryMapExceptions() {
        FakeHvfApi api = new FakeHvfApi();
        try (Hypervisor hv = open(api); VirtualMachine vm = hv.createVirtualMachine()) {
            MemoryMapException heap = assertThrows(MemoryMapException.class,
                    () -> vm.map(MemoryRegion.ram(0, MemorySegment.ofArray(new byte[0x4000]))));
            assertTrue(heap.getMessage().contains("heap"), heap.getMessage());
            api.fail("hv_vm_map", HvReturn.HV_BAD_ARGUMENT);
            MemoryMapException refused = assertThrows(MemoryMapException.class, () -> vm.mapRam(0, 0x4000));
            assertTrue(refused.getMessage().contains("hv_vm_map failed: HV_BAD_ARGUMENT 0xfae94003"),
                    refused.getMessage());
            assertTrue(vm.memory().regions().isEmpty());
        }
    }

    @Test
    void closingTheVmDestroysItsVCpusAndTheVm() {
        FakeHvfApi api = new FakeHvfApi();
        try (Hypervisor hv = open(api)) {
            VirtualMachine vm = hv.createVirtualMachine();
            var cpu = vm.createVCpu(0, org.vcpu4j.api.aarch64.Aarch64CreateConfig.ofMpidr(0));
            cpu.setup(org.vcpu4j.api.aarch64.Aarch64SetupConfig.defaults());
            cpu.bind();
            vm.close();
            assertTrue(api.created.get(0).destroyed);
            assertFalse(api.vmExists);
            assertFalse(HvfBackend.vmOpen());
        }
    }
}
