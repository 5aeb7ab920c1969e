package org.vcpu4j.spi;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.vcpu4j.api.BackendException;
import org.vcpu4j.api.GuestIsa;
import org.vcpu4j.api.GuestMemory;
import org.vcpu4j.api.MemoryRegion;
import org.vcpu4j.api.RegisterState;
import org.vcpu4j.api.VCpuCreateConfig;
import org.vcpu4j.api.VCpuExit;
import org.vcpu4j.api.VCpuSetupConfig;
import org.vcpu4j.api.aarch64.Aarch64State;

/** A scripted backend for testing the library's wrappers: exits are queued by the test. */
final class FakeBackend implements VCpuBackendProvider, HypervisorBackend {
    final List<String> calls = new ArrayList<>();
    final List<FakeVCpu> vcpus = new ArrayList<>();
    RuntimeException failNext;
    /** Thrown by the next {@code map} call of a VM, then cleared. */
    RuntimeException failNextMap;
    /** Runs inside every run(), e.g. to block while a test observes the RUNNING state. */
    Runnable runHook = () -> { };

    @Override
    public String id() {
        return "fake";
    }

    @Override
    public GuestIsa guestIsa() {
        return GuestIsa.AARCH64;
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public Availability availability() {
        return Availability.available("test double");
    }

    @Override
    public HypervisorBackend open() {
        return this;
    }

    @Override
    public VmBackend createVm() {
        return new VmBackend() {
            @Override
            public long granule() {
                return 4096;
            }

            @Override
            public long addressLimit() {
                return 1L << 40;
            }

            @Override
            public void map(MemoryRegion region, GuestMemory after) {
                calls.add("map " + region.describe());
                RuntimeException e = failNextMap;
                if (e != null) {
                    failNextMap = null;
                    throw e;
                }
            }

            @Override
            public void unmap(MemoryRegion region, GuestMemory after) {
                calls.add("unmap " + region.describe());
            }

            @Override
            public Availability interruptControllerSupport(org.vcpu4j.api.InterruptControllerConfig config) {
                return config instanceof org.vcpu4j.api.InterruptControllerConfig.GicV3
                        ? Availability.available("the shared GICv3 model") : Availability.unavailable("GICv3 only");
            }

            @Override
            public InterruptControllerBackend createInterruptController(
                    org.vcpu4j.api.InterruptControllerConfig config) {
                calls.add("interrupt controller " + config);
                return new org.vcpu4j.spi.aarch64.GicV3Model((org.vcpu4j.api.InterruptControllerConfig.GicV3) config);
            }

            @Override
            public ArchVCpu createVCpu(int id, VCpuCreateConfig config) {
                FakeVCpu v = new FakeVCpu();
                vcpus.add(v);
                return v;
            }

            @Override
            public void close() {
                calls.add("vm close");
            }
        };
    }

    @Override
    public void close() {
        calls.add("backend close");
    }

    private void maybeFail(String call) {
        calls.add(call);
        RuntimeException e = failNext;
        if (e != null) {
            failNext = null;
            throw e;
        }
    }

    /** The debug capabilities the next vCPUs offer. */
    java.util.Set<org.vcpu4j.api.DebugCapability> offeredDebug = java.util.Set.of();

    /** A vCPU whose run() returns queued exits. */
    final class FakeVCpu implements ArchVCpu {
        private final java.util.Set<org.vcpu4j.api.DebugCapability> debug = offeredDebug;

        @Override
        public java.util.Set<org.vcpu4j.api.DebugCapability> debugCapabilities() {
            return debug;
        }

        @Override
        public void setSingleStep(boolean enabled) {
            calls.add("singleStep " + enabled);
        }

        @Override
        public void insertBreakpoint(org.vcpu4j.api.BreakpointKind kind, long address) {
            calls.add("insertBreakpoint " + kind + " 0x" + Long.toHexString(address));
        }

        @Override
        public void insertWatchpoint(org.vcpu4j.api.WatchKind kind, long address, long length) {
            calls.add("insertWatchpoint " + kind + " 0x" + Long.toHexString(address) + " " + length);
        }

        @Override
        public java.util.OptionalLong translateGva(long guestVirtual) {
            calls.add("translateGva");
            return java.util.OptionalLong.of(guestVirtual + 0x1000);
        }

        final Deque<VCpuExit> exits = new ArrayDeque<>();
        final long[] x = new long[31];
        final List<Integer> interrupts = new ArrayList<>();
        volatile boolean exitRequested;
        long returnValue;

        @Override
        public void setEntry(long guestAddress) {
            calls.add("setEntry");
        }

        @Override
        public void setup(VCpuSetupConfig config) {
            maybeFail("setup");
        }

        @Override
        public void bind() {
            maybeFail("bind");
        }

        @Override
        public void unbind() {
            maybeFail("unbind");
        }

        @Override
        public VCpuExit run() {
            maybeFail("run");
            runHook.run();
            if (exitRequested) {
                exitRequested = false;
                return new VCpuExit.Interrupted();
            }
            VCpuExit e = exits.poll();
            if (e == null) {
                throw new BackendException("fake: no exit queued");
            }
            return e;
        }

        @Override
        public void setGpr(int index, long value) {
            x[index] = value;
        }

        @Override
        public long gpr(int index) {
            return x[index];
        }

        @Override
        public void injectInterrupt(int intid) {
            interrupts.add(intid);
        }

        /** This fake accepts GIC INTIDs (0-1019), like the AArch64 backends. */
        @Override
        public void checkInterrupt(int intid) {
            if (intid > 1019) {
                throw new IllegalArgumentException("INTID must be 0-1019, not " + intid);
            }
        }

        @Override
        public void setReturnValue(long value) {
            x[0] = value;
        }

        @Override
        public void completeMmioRead(VCpuExit.MmioRead exit, long value) {
            org.vcpu4j.spi.aarch64.Completion.completeMmioRead(exit, value, gprs());
        }

        @Override
        public void completeMmioWithExternalAbort(VCpuExit exit) {
            calls.add("abort " + exit.kind());
        }

        @Override
        public void completeSysRegRead(VCpuExit.SysRegRead exit, long value) {
            org.vcpu4j.spi.aarch64.Completion.completeSysRegRead(exit, value, gprs());
        }

        @Override
        public void completeIoRead(VCpuExit.IoRead exit, long value) {
            calls.add("io " + value);
        }

        @Override
        public void requestExit() {
            exitRequested = true;
        }

        @Override
        public RegisterState saveState() {
            var b = Aarch64State.builder();
            for (int i = 0; i < 31; i++) {
                b.x(i, x[i]);
            }
            return b.build();
        }

        @Override
        public void restoreState(RegisterState state) {
            Aarch64State s = (Aarch64State) state;
            for (int i = 0; i < 31; i++) {
                x[i] = s.x(i);
            }
        }

        @Override
        public void close() {
            calls.add("vcpu close");
        }

        private org.vcpu4j.spi.aarch64.Gprs gprs() {
            return new org.vcpu4j.spi.aarch64.Gprs() {
                @Override
                public long x(int n) {
                    return x[n];
                }

                @Override
                public void setX(int n, long value) {
                    x[n] = value;
                }
            };
        }
    }
}
