package org.vcpu4j.backend.hvf;

import java.util.concurrent.atomic.AtomicReference;
import org.vcpu4j.api.BackendException;
import org.vcpu4j.backend.hvf.sys.HvReturn;
import org.vcpu4j.backend.hvf.sys.HvfApi;
import org.vcpu4j.backend.hvf.sys.HvfException;
import org.vcpu4j.spi.HypervisorBackend;
import org.vcpu4j.spi.VmBackend;

/**
 * The opened backend. Hypervisor.framework has one VM per process ({@code hv_vm_create} is "for the
 * current process"), so a second VM while one is open is refused here, before the framework is asked.
 */
final class HvfBackend implements HypervisorBackend {
    /** The VM this process has open through this backend, if any. Process-wide, as the framework's VM is. */
    private static final AtomicReference<HvfVm> OPEN_VM = new AtomicReference<>();

    private final HvfApi api;

    HvfBackend(HvfApi api) {
        this.api = api;
    }

    /** {@return whether this process has a VM of this backend open} */
    static boolean vmOpen() {
        return OPEN_VM.get() != null;
    }

    @Override
    public VmBackend createVm() {
        HvfVm vm = new HvfVm(api);
        if (!OPEN_VM.compareAndSet(null, vm)) {
            throw new BackendException("Hypervisor.framework allows one VM per process and this process already has"
                    + " one open (" + OPEN_VM.get() + "): close that VirtualMachine before creating another");
        }
        try {
            api.vmCreate();
        } catch (HvfException e) {
            OPEN_VM.compareAndSet(vm, null);
            if (e.code() == HvReturn.HV_DENIED.code() || e.code() == HvReturn.HV_BUSY.code()) {
                throw new BackendException(HvfAvailability.vmCreateRefused(e), e);
            }
            throw e;
        } catch (RuntimeException e) {
            OPEN_VM.compareAndSet(vm, null);
            throw e;
        }
        vm.started();
        return vm;
    }

    /**
     * Called by a VM when it is destroyed.
     *
     * @param vm the VM
     */
    static void released(HvfVm vm) {
        OPEN_VM.compareAndSet(vm, null);
    }

    @Override
    public void close() {
        // Nothing native: the library closes every VM (hv_vm_destroy) before it closes the backend.
    }
}
