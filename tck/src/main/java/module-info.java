/**
 * The vcpu4j compatibility kit: jqwik properties every backend's tests run ({@link
 * org.vcpu4j.tck.VCpuBackendTck}), per-ISA assemblers and arbitraries, and the runner behind {@code
 * ./vcpu tck}.
 *
 * @uses org.junit.platform.engine.TestEngine
 */
open module org.vcpu4j.tck {
    requires transitive org.vcpu4j.spi;
    requires transitive net.jqwik.api;
    requires transitive org.junit.platform.launcher;
    requires transitive org.junit.jupiter.api;
    requires org.slf4j;
    requires java.logging;

    exports org.vcpu4j.tck;
    exports org.vcpu4j.tck.arbitraries;
    exports org.vcpu4j.tck.asm;
}
