package org.vcpu4j.cli.machine;

import java.util.ArrayList;
import java.util.List;
import org.vcpu4j.api.GuestIsa;
import org.vcpu4j.api.GuestMemory;
import org.vcpu4j.api.RegisterState;
import org.vcpu4j.api.VCpu;
import org.vcpu4j.api.VCpuExit;
import org.vcpu4j.api.VCpuSetupConfig;
import org.vcpu4j.api.VCpuState;

/** A vCPU that records what a machine asks of it; run() is never called by these tests. */
final class RecordingVCpu implements VCpu {
    final List<String> calls = new ArrayList<>();
    RegisterState state;

    @Override
    public int id() {
        return 0;
    }

    @Override
    public GuestIsa isa() {
        return GuestIsa.AARCH64;
    }

    @Override
    public VCpuState state() {
        return VCpuState.READY;
    }

    @Override
    public void setEntry(long guestAddress) {
        calls.add("setEntry " + Long.toHexString(guestAddress));
    }

    @Override
    public void setEptRoot(GuestMemory root) {
        calls.add("setEptRoot");
    }

    @Override
    public void setup(VCpuSetupConfig config) {
        calls.add("setup");
    }

    @Override
    public void bind() {
        calls.add("bind");
    }

    @Override
    public void unbind() {
        calls.add("unbind");
    }

    @Override
    public VCpuExit run() {
        throw new AssertionError("not used");
    }

    @Override
    public void setGpr(int index, long value) {
        calls.add("setGpr " + index + " " + Long.toHexString(value));
    }

    @Override
    public long gpr(int index) {
        return 0;
    }

    @Override
    public void injectInterrupt(int intid) {
        calls.add("inject " + intid);
    }

    @Override
    public void setReturnValue(long value) {
        calls.add("return " + Long.toHexString(value));
    }

    @Override
    public void completeMmioRead(long value) {
        calls.add("mmio " + Long.toHexString(value));
    }

    @Override
    public void completeMmioWithExternalAbort() {
        calls.add("abort");
    }

    @Override
    public void completeSysRegRead(long value) {
        calls.add("sysreg " + Long.toHexString(value));
    }

    @Override
    public void completeIoRead(long value) {
        calls.add("io " + Long.toHexString(value));
    }

    @Override
    public void requestExit() {
        calls.add("requestExit");
    }

    @Override
    public RegisterState saveState() {
        return state;
    }

    @Override
    public void restoreState(RegisterState newState) {
        state = newState;
    }

    @Override
    public void setInstructionLimit(long limit) {
        calls.add("limit " + limit);
    }

    @Override
    public void close() {
        calls.add("close");
    }
}
