/**
 * The emulated backend: a pure-Java AArch64 CPU (an interpreter) that runs a guest at EL1 and EL0
 * under a virtual EL2 with arm_vcpu's trap semantics. It runs on any JVM and exports nothing: users
 * reach it through {@link org.vcpu4j.spi.Backends}.
 *
 * @provides org.vcpu4j.spi.VCpuBackendProvider
 */
module org.vcpu4j.backend.emulated {
    requires org.vcpu4j.spi;
    requires org.slf4j;

    provides org.vcpu4j.spi.VCpuBackendProvider with org.vcpu4j.backend.emulated.EmulatedBackendProvider;
}
