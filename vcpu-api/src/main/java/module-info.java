/**
 * The vcpu4j contract: the Java mirror of ArceOS's {@code AxArchVCpu} and {@code AxVCpu}.
 *
 * <p>It holds types only: {@link org.vcpu4j.api.Hypervisor}, {@link org.vcpu4j.api.VirtualMachine},
 * {@link org.vcpu4j.api.VCpu} and its {@link org.vcpu4j.api.VCpuState state machine}, the sealed
 * {@link org.vcpu4j.api.VCpuExit} of records, {@link org.vcpu4j.api.GuestMemory}, and register state
 * per guest ISA. Discovery of backends lives in {@code org.vcpu4j.spi}; this module needs nothing but
 * {@code java.base}.
 */
module org.vcpu4j.api {
    exports org.vcpu4j.api;
    exports org.vcpu4j.api.aarch64;
    exports org.vcpu4j.api.x86_64;
}
