package org.vcpu4j.cli;

import jakarta.inject.Inject;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.vcpu4j.api.BackendUnavailableException;
import org.vcpu4j.cli.machine.Outcome;
import org.vcpu4j.tck.RuleResult;
import org.vcpu4j.tck.TckRunner;
import org.vcpu4j.tck.VCpuBackendTck;
import picocli.CommandLine;

/** {@code vcpu tck}: runs the compatibility kit against a backend and prints one line per rule. */
@CommandLine.Command(name = "tck", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {
    "Runs the TCK against a backend on the module path and prints a table: rule, result, reason.",
    "Exit code 0 when no rule failed and at least one ran, 1 otherwise."})
final class TckCommand implements Callable<Integer> {
    @CommandLine.Option(names = "--backend", paramLabel = "ID", description = "Backend to test (default: the best available).")
    String backend;

    @CommandLine.Option(names = "--tries", paramLabel = "N", description = "Tries per property (default: "
            + VCpuBackendTck.DEFAULT_TRIES + ", or -D" + VCpuBackendTck.TRIES_PROPERTY + ").")
    Integer tries;

    private final BackendCatalog catalog;
    private final Console console;

    @Inject
    TckCommand(BackendCatalog catalog, Console console) {
        this.catalog = catalog;
        this.console = console;
    }

    @Override
    public Integer call() {
        try {
            String id = backend != null ? backend : catalog.choose(Optional.empty(), Optional.empty()).id();
            List<RuleResult> results = tries == null ? TckRunner.run(id) : TckRunner.run(id, tries);
            console.out().print(TckRunner.formatTable(results));
            console.out().flush();
            if (results.stream().anyMatch(r -> r.status() == RuleResult.Status.FAILED)) {
                return 1;
            }
            if (results.stream().noneMatch(r -> r.status() == RuleResult.Status.PASSED)) {
                console.err().println("vcpu: no TCK rule ran on backend '" + id + "'");
                return 1;
            }
            return 0;
        } catch (BackendUnavailableException | IllegalArgumentException e) {
            console.err().println("vcpu: " + e.getMessage());
            return Outcome.EXIT_USAGE;
        }
    }
}
