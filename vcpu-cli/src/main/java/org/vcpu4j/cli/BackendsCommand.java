package org.vcpu4j.cli;

import jakarta.inject.Inject;
import java.util.concurrent.Callable;
import org.vcpu4j.spi.Availability;
import org.vcpu4j.spi.VCpuBackendProvider;
import picocli.CommandLine;

/** {@code vcpu backends}: every discovered backend, its guest ISA, whether it is available and why. */
@CommandLine.Command(name = "backends", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Lists every discovered backend and whether it is available.")
final class BackendsCommand implements Callable<Integer> {
    private final BackendCatalog catalog;
    private final Console console;

    @Inject
    BackendsCommand(BackendCatalog catalog, Console console) {
        this.catalog = catalog;
        this.console = console;
    }

    @Override
    public Integer call() {
        console.out().printf("%-10s %-8s %-9s %-12s %s%n", "BACKEND", "GUEST", "PRIORITY", "STATUS", "REASON");
        for (VCpuBackendProvider p : catalog.all()) {
            Availability a = p.availability();
            console.out().printf("%-10s %-8s %-9d %-12s %s%n", p.id(), p.guestIsa().displayName(), p.priority(),
                    a.available() ? "available" : "unavailable", a.reason());
        }
        console.out().flush();
        return 0;
    }
}
