package org.vcpu4j.tck.selftest;

import java.util.function.UnaryOperator;
import org.vcpu4j.api.GuestIsa;
import org.vcpu4j.api.GuestMemory;
import org.vcpu4j.api.InterruptControllerConfig;
import org.vcpu4j.api.MemoryRegion;
import org.vcpu4j.api.VCpuCreateConfig;
import org.vcpu4j.spi.ArchVCpu;
import org.vcpu4j.spi.Availability;
import org.vcpu4j.spi.HypervisorBackend;
import org.vcpu4j.spi.InterruptControllerBackend;
import org.vcpu4j.spi.VCpuBackendProvider;
import org.vcpu4j.spi.VmBackend;

/**
 * A provider that wraps another one at the SPI level (provider, hypervisor, VM, vCPU) and lets a test
 * replace each vCPU with a wrapper that carries a deliberate bug.
 */
final class DelegatingProvider implements VCpuBackendProvider {
    private final VCpuBackendProvider delegate;
    private final String id;
    private final Availability availability;
    private final UnaryOperator<ArchVCpu> vcpuWrapper;
    private int realVCpuIdLimit = -1;
    private UnaryOperator<InterruptControllerBackend> controllerWrapper = UnaryOperator.identity();
    private UnaryOperator<VCpuCreateConfig> configMapper = UnaryOperator.identity();

    DelegatingProvider(VCpuBackendProvider delegate, String id, UnaryOperator<ArchVCpu> vcpuWrapper) {
        this(delegate, id, null, vcpuWrapper);
    }

    DelegatingProvider(VCpuBackendProvider delegate, String id, Availability availability,
            UnaryOperator<ArchVCpu> vcpuWrapper) {
        this.delegate = delegate;
        this.id = id;
        this.availability = availability;
        this.vcpuWrapper = vcpuWrapper;
    }

    /** {@return this provider, whose VMs refuse vCPU ids above {@code limit} while claiming the delegate's limit} */
    DelegatingProvider refusingVCpuIdsAbove(int limit) {
        realVCpuIdLimit = limit;
        return this;
    }

    /** {@return this provider, whose VMs' interrupt controllers carry a bug through {@code wrapper}} */
    DelegatingProvider wrappingInterruptControllers(UnaryOperator<InterruptControllerBackend> wrapper) {
        controllerWrapper = wrapper;
        return this;
    }

    /** {@return this provider, whose VMs hand {@code mapper}'s version of each create config to the backend} */
    DelegatingProvider mappingCreateConfigs(UnaryOperator<VCpuCreateConfig> mapper) {
        configMapper = mapper;
        return this;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public GuestIsa guestIsa() {
        return delegate.guestIsa();
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public Availability availability() {
        return availability != null ? availability : delegate.availability();
    }

    @Override
    public HypervisorBackend open() {
        HypervisorBackend hv = delegate.open();
        return new HypervisorBackend() {
            @Override
            public VmBackend createVm() {
                return new DelegatingVm(hv.createVm());
            }

            @Override
            public void close() {
                hv.close();
            }
        };
    }

    private final class DelegatingVm implements VmBackend {
        private final VmBackend vm;

        DelegatingVm(VmBackend vm) {
            this.vm = vm;
        }

        @Override
        public long granule() {
            return vm.granule();
        }

        @Override
        public long addressLimit() {
            return vm.addressLimit();
        }

        @Override
        public void map(MemoryRegion region, GuestMemory after) {
            vm.map(region, after);
        }

        @Override
        public void unmap(MemoryRegion region, GuestMemory after) {
            vm.unmap(region, after);
        }

        @Override
        public int maxVCpuId() {
            return vm.maxVCpuId();
        }

        @Override
        public Availability interruptControllerSupport(InterruptControllerConfig config) {
            return vm.interruptControllerSupport(config);
        }

        @Override
        public InterruptControllerBackend createInterruptController(InterruptControllerConfig config) {
            return controllerWrapper.apply(vm.createInterruptController(config));
        }

        @Override
        public ArchVCpu createVCpu(int vcpuId, VCpuCreateConfig config) {
            if (realVCpuIdLimit >= 0 && vcpuId > realVCpuIdLimit) {
                throw new IllegalStateException("KVM_CREATE_VCPU failed: EINVAL (simulated: ids above "
                        + realVCpuIdLimit + ")");
            }
            return vcpuWrapper.apply(vm.createVCpu(vcpuId, configMapper.apply(config)));
        }

        @Override
        public void close() {
            vm.close();
        }
    }
}
