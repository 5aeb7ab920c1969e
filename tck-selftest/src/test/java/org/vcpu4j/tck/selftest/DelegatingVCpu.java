package org.vcpu4j.tck.selftest;

import java.util.OptionalLong;
import org.vcpu4j.api.RegisterState;
import org.vcpu4j.api.VCpuExit;
import org.vcpu4j.api.VCpuSetupConfig;
import org.vcpu4j.spi.ArchVCpu;

/** An {@link ArchVCpu} that forwards every call; the broken backends override one method each. */
class DelegatingVCpu implements ArchVCpu {
    protected final ArchVCpu delegate;

    DelegatingVCpu(ArchVCpu delegate) {
        this.delegate = delegate;
    }

    @Override
    public void setEntry(long guestAddress) {
        delegate.setEntry(guestAddress);
    }

    @Override
    public void setup(VCpuSetupConfig config) {
        delegate.setup(config);
    }

    @Override
    public void bind() {
        delegate.bind();
    }

    @Override
    public void unbind() {
        delegate.unbind();
    }

    @Override
    public VCpuExit run() {
        return delegate.run();
    }

    @Override
    public void setGpr(int index, long value) {
        delegate.setGpr(index, value);
    }

    @Override
    public long gpr(int index) {
        return delegate.gpr(index);
    }

    @Override
    public void injectInterrupt(int intid) {
        delegate.injectInterrupt(intid);
    }

    @Override
    public void checkInterrupt(int intid) {
        delegate.checkInterrupt(intid);
    }

    @Override
    public void setReturnValue(long value) {
        delegate.setReturnValue(value);
    }

    @Override
    public void completeMmioRead(VCpuExit.MmioRead exit, long value) {
        delegate.completeMmioRead(exit, value);
    }

    @Override
    public void completeMmioWithExternalAbort(VCpuExit exit) {
        delegate.completeMmioWithExternalAbort(exit);
    }

    @Override
    public void completeSysRegRead(VCpuExit.SysRegRead exit, long value) {
        delegate.completeSysRegRead(exit, value);
    }

    @Override
    public void completeIoRead(VCpuExit.IoRead exit, long value) {
        delegate.completeIoRead(exit, value);
    }

    @Override
    public void requestExit() {
        delegate.requestExit();
    }

    @Override
    public RegisterState saveState() {
        return delegate.saveState();
    }

    @Override
    public void restoreState(RegisterState state) {
        delegate.restoreState(state);
    }

    @Override
    public OptionalLong retiredInstructions() {
        return delegate.retiredInstructions();
    }

    @Override
    public void setInstructionLimit(long limit) {
        delegate.setInstructionLimit(limit);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
