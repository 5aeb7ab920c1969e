/**
 * The vcpu4j command line: {@code vcpu backends}, {@code vcpu run}, {@code vcpu demo} and {@code vcpu tck}.
 * The application is wired with Guice and logs through SLF4J (slf4j-simple, to standard error); guest
 * UART output alone goes to standard output.
 */
@SuppressWarnings("requires-automatic") // Guice 7 has no module descriptor
module org.vcpu4j.cli {
    requires org.vcpu4j.spi;
    requires org.vcpu4j.tck;
    requires org.vcpu4j.gdb;
    requires com.google.guice;
    requires jakarta.inject;
    requires info.picocli;
    requires org.slf4j;
    requires java.logging;

    opens org.vcpu4j.cli to info.picocli, com.google.guice;
    opens org.vcpu4j.cli.machine to com.google.guice;
    opens org.vcpu4j.cli.image to com.google.guice;
}
