/**
 * The vcpu4j service-provider interface: what a backend implements ({@link
 * org.vcpu4j.spi.VCpuBackendProvider} and the types it opens), {@link org.vcpu4j.spi.Backends} (the
 * only {@code ServiceLoader} user, which wraps every backend in the library's state machine), and the
 * AArch64 toolkit backends share.
 *
 * @uses org.vcpu4j.spi.VCpuBackendProvider
 */
module org.vcpu4j.spi {
    requires transitive org.vcpu4j.api;
    requires org.slf4j;

    exports org.vcpu4j.spi;
    exports org.vcpu4j.spi.aarch64;

    uses org.vcpu4j.spi.VCpuBackendProvider;
}
