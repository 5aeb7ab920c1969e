/**
 * The macOS Hypervisor.framework backend (Apple silicon): AArch64 guests through {@code java.lang.foreign}.
 *
 * <p>It exports nothing; {@link org.vcpu4j.spi.Backends} finds it through {@code provides}. The
 * framework is looked up only on macOS, so the module loads and reports itself unavailable on every
 * other OS.
 *
 * @provides org.vcpu4j.spi.VCpuBackendProvider
 */
module org.vcpu4j.backend.hvf {
    requires org.vcpu4j.spi;
    requires org.slf4j;

    provides org.vcpu4j.spi.VCpuBackendProvider with org.vcpu4j.backend.hvf.HvfBackendProvider;
}
