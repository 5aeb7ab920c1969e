package org.vcpu4j.cli;

import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import org.vcpu4j.api.BackendUnavailableException;
import org.vcpu4j.cli.demo.DemoGuests;
import org.vcpu4j.cli.machine.Outcome;
import org.vcpu4j.cli.machine.RunOptions;
import picocli.CommandLine;

/** {@code vcpu demo}: a built-in hello-world guest, generated for the default backend's ISA. */
@CommandLine.Command(name = "demo", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Runs a built-in hello-world guest on the default backend.")
final class DemoCommand implements Callable<Integer> {
    @CommandLine.Option(names = "--backend", paramLabel = "ID", description = "Backend to use (default: the best available).")
    String backend;

    @CommandLine.Option(names = "--stats", description = "Print instructions, exits by kind and wall time to stderr.")
    boolean stats;

    private final BackendCatalog catalog;
    private final GuestLauncher launcher;
    private final Console console;

    @Inject
    DemoCommand(BackendCatalog catalog, GuestLauncher launcher, Console console) {
        this.catalog = catalog;
        this.launcher = launcher;
        this.console = console;
    }

    @Override
    public Integer call() {
        try {
            var provider = catalog.choose(Optional.ofNullable(backend), Optional.empty());
            var image = DemoGuests.image(provider.guestIsa(), "Hello from vcpu4j! (backend " + provider.id()
                    + ", " + provider.guestIsa().displayName() + " guest)\n");
            return launcher.launch(provider, image, new RunOptions(RunOptions.DEFAULT_MEMORY, OptionalLong.empty(),
                    Optional.of(Duration.ofSeconds(30)), stats));
        } catch (BackendUnavailableException e) {
            console.err().println("vcpu: " + e.getMessage());
            return Outcome.EXIT_USAGE;
        }
    }
}
