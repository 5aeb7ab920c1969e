/**
 * The vcpu4j compatibility kit: JUnit Jupiter rules every backend's tests run ({@link
 * org.vcpu4j.tck.VCpuBackendTck}), per-ISA assemblers and generators, and the runner behind {@code
 * ./vcpu tck}.
 *
 * @uses org.junit.platform.engine.TestEngine
 */
open module org.vcpu4j.tck {
    requires transitive org.vcpu4j.spi;
    requires transitive org.vcpu4j.property;
    requires transitive org.junit.platform.launcher;
    requires transitive org.junit.jupiter.api;
    requires org.slf4j;

    exports org.vcpu4j.tck;
    exports org.vcpu4j.tck.generators;
    exports org.vcpu4j.tck.asm;
}
