package org.vcpu4j.tck;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.vcpu4j.api.BackendUnavailableException;
import org.vcpu4j.spi.Backends;
import org.vcpu4j.tck.internal.SelectedBackendTck;

/**
 * Runs the TCK against a backend on the module path through the JUnit Platform Launcher (the Jupiter
 * engine), for {@code ./vcpu tck [--backend ID]}:
 *
 * <pre>{@code
 * List<RuleResult> results = TckRunner.run("emulated");
 * System.out.print(TckRunner.formatTable(results));
 * }</pre>
 *
 * <p>Tries per property come from {@value VCpuBackendTck#TRIES_PROPERTY} (default {@value
 * VCpuBackendTck#DEFAULT_TRIES}); {@link #run(String, int)} sets them for one run.
 */
public final class TckRunner {
    private TckRunner() {}

    /**
     * Runs every rule against a backend with the configured tries.
     *
     * @param backendId the backend's id, e.g. {@code emulated}
     * @return one result per rule, in rule order
     * @throws IllegalArgumentException if no backend has this id (the message names it, lists the backends
     *     found and says which artifact to add)
     */
    public static List<RuleResult> run(String backendId) {
        return run(backendId, VCpuBackendTck.configuredTries());
    }

    /**
     * Runs every rule against a backend.
     *
     * @param backendId the backend's id, e.g. {@code emulated}
     * @param tries the tries per random property, 1 or more
     * @return one result per rule, in rule order
     * @throws IllegalArgumentException if no backend has this id (the message names it, lists the backends
     *     found and says which artifact to add)
     */
    public static synchronized List<RuleResult> run(String backendId, int tries) {
        try {
            Backends.require(backendId);
        } catch (BackendUnavailableException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        if (tries < 1) {
            throw new IllegalArgumentException("tries must be at least 1, not " + tries);
        }
        String oldId = System.setProperty(SelectedBackendTck.BACKEND_ID_PROPERTY, backendId);
        String oldTries = System.setProperty(VCpuBackendTck.TRIES_PROPERTY, Integer.toString(tries));
        try {
            return launch();
        } finally {
            restore(SelectedBackendTck.BACKEND_ID_PROPERTY, oldId);
            restore(VCpuBackendTck.TRIES_PROPERTY, oldTries);
        }
    }

    private static List<RuleResult> launch() {
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(SelectedBackendTck.class))
                .build();
        Map<String, RuleResult> byMethod = new ConcurrentHashMap<>();
        TestExecutionListener listener = new TestExecutionListener() {
            @Override
            public void executionSkipped(TestIdentifier id, String reason) {
                rule(id).ifPresent(r -> byMethod.put(r.method(),
                        new RuleResult(r.ruleId(), r.method(), RuleResult.Status.SKIPPED, reason)));
            }

            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                rule(id).ifPresent(r -> {
                    RuleResult.Status status = result.getStatus() == TestExecutionResult.Status.SUCCESSFUL
                            ? RuleResult.Status.PASSED
                            : result.getStatus() == TestExecutionResult.Status.ABORTED
                                    ? RuleResult.Status.SKIPPED : RuleResult.Status.FAILED;
                    String reason = result.getThrowable().map(TckRunner::firstLine).orElse("");
                    byMethod.put(r.method(), new RuleResult(r.ruleId(), r.method(), status, reason));
                });
            }
        };
        Launcher launcher = LauncherFactory.create();
        launcher.execute(request, listener);
        List<RuleResult> results = new ArrayList<>(byMethod.values());
        results.sort(Comparator.comparing(r -> Rule.byId(r.ruleId()).ordinal()));
        return List.copyOf(results);
    }

    private static Optional<RuleResult> rule(TestIdentifier id) {
        if (!id.isTest() || !(id.getSource().orElse(null) instanceof MethodSource source)) {
            return Optional.empty();
        }
        try {
            Method m = source.getJavaMethod();
            TckRule rule = m.getAnnotation(TckRule.class);
            return rule == null ? Optional.empty()
                    : Optional.of(new RuleResult(rule.value().id(), m.getName(), RuleResult.Status.PASSED, ""));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * {@return a plain-text table: one line per rule with its id, PASSED/FAILED/SKIPPED and the reason,
     * then a summary line}
     *
     * @param results the results of {@link #run(String)}
     */
    public static String formatTable(List<RuleResult> results) {
        int idWidth = Math.max(4, results.stream().mapToInt(r -> r.ruleId().length()).max().orElse(4));
        StringBuilder sb = new StringBuilder();
        String format = "%-" + idWidth + "s  %-7s  %s%n";
        sb.append(String.format(format, "RULE", "RESULT", "REASON"));
        int passed = 0;
        int failed = 0;
        int skipped = 0;
        for (RuleResult r : results) {
            String reason = r.status() == RuleResult.Status.PASSED ? Rule.byId(r.ruleId()).statement() : r.reason();
            if (reason.length() > 160) {
                reason = reason.substring(0, 157) + "...";
            }
            sb.append(String.format(format, r.ruleId(), r.status(), reason));
            switch (r.status()) {
                case PASSED -> passed++;
                case FAILED -> failed++;
                case SKIPPED -> skipped++;
            }
        }
        sb.append(String.format("%d rules: %d passed, %d failed, %d skipped%n", results.size(), passed, failed, skipped));
        return sb.toString();
    }

    private static String firstLine(Throwable t) {
        String message = t.getMessage() == null ? t.toString() : t.getClass().getSimpleName() + ": " + t.getMessage();
        int nl = message.indexOf('\n');
        return (nl < 0 ? message : message.substring(0, nl)).strip();
    }

    private static void restore(String key, String old) {
        if (old == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, old);
        }
    }
}
