package org.vcpu4j.tck.selftest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.EventType;
import org.junit.platform.testkit.engine.Events;
import org.vcpu4j.spi.Availability;
import org.vcpu4j.spi.Backends;
import org.vcpu4j.spi.VCpuBackendProvider;
import org.vcpu4j.tck.Rule;
import org.vcpu4j.tck.RuleResult;
import org.vcpu4j.tck.TckRule;
import org.vcpu4j.tck.TckRunner;
import org.vcpu4j.tck.VCpuBackendTck;

/**
 * The TCK of the TCK: runs {@link VCpuBackendTck} through the JUnit Jupiter engine against the emulated backend
 * and against wrappers of it that each carry one bug class, and checks that every bug is caught by the
 * rule meant for it, that the unbroken backend passes, and that unavailability is a skip (or, when
 * required, a failure) with the reason.
 */
class TckSelfTest {
    /** Enough that every bug's triggering case is drawn with near certainty ((6/7)^200 for an XZR load). */
    private static final String TRIES = "200";
    private static String savedTries;

    @BeforeAll
    static void fewerTries() {
        savedTries = System.setProperty(VCpuBackendTck.TRIES_PROPERTY, TRIES);
    }

    @AfterAll
    static void restoreTriesAndCloseLeaks() throws Exception {
        restore(VCpuBackendTck.TRIES_PROPERTY, savedTries);
        Bug.Leaks.closeAll();
    }

    @ParameterizedTest
    @EnumSource(Bug.class)
    void everyBrokenBackendIsCaughtByTheRuleMeantForIt(Bug bug) {
        Map<String, String> failed = failures(launch(new DelegatingProvider(emulated(),
                "emulated-" + bug.name().toLowerCase(), bug.wrapper()).refusingVCpuIdsAbove(bug.realVCpuIdLimit())
                .wrappingInterruptControllers(bug.controllerWrapper()).mappingCreateConfigs(bug.configMapper())));
        String method = methodOf(bug.rule());
        assertTrue(failed.containsKey(method), () -> bug + " must fail " + bug.rule().id() + " (" + method
                + "), but the failures were " + failed.keySet());
        assertTrue(failed.get(method).contains(bug.rule().id()), () -> "the failure of " + method
                + " must name its rule " + bug.rule().id() + ": " + failed.get(method));
    }

    @Test
    void theUnbrokenEmulatedBackendPassesEveryRule() {
        Events events = launch(wrapped("emulated-unbroken", UnaryOperator.identity()));
        assertEquals(Map.of(), failures(events));
        Set<String> skipped = new TreeSet<>();
        events.skipped().stream().forEach(e -> skipped.add(methodName(e).orElse("?")));
        assertEquals(Set.of(), skipped, "the emulated backend declares every capability");
        assertEquals(Rule.values().length, events.succeeded().count());
    }

    @Test
    void anUnavailableBackendIsSkippedWithTheReasonNeverPassed() {
        // CI runs the build with requireAvailable=true; this rule is about the default, so clear it here.
        String old = System.setProperty(VCpuBackendTck.REQUIRE_AVAILABLE_PROPERTY, "false");
        try {
            Events events = launch(new DelegatingProvider(emulated(), "emulated-off",
                    Availability.unavailable("switched off by the TCK self-test"), UnaryOperator.identity()));
            assertEquals(0, events.succeeded().count());
            assertEquals(Rule.values().length, events.skipped().count());
            events.skipped().stream().forEach(e -> assertTrue(e.getPayload(String.class).orElse("")
                    .contains("switched off by the TCK self-test"), () -> "skip reason: " + e.getPayload()));
        } finally {
            restore(VCpuBackendTck.REQUIRE_AVAILABLE_PROPERTY, old);
        }
    }

    @Test
    void aRunInWhichNoRuleRanFailsUnlessTheBackendDoesNotApplyToTheHost() {
        String old = System.setProperty(VCpuBackendTck.REQUIRE_AVAILABLE_PROPERTY, "false");
        VCpuBackendProvider off = new DelegatingProvider(emulated(), "emulated-off",
                Availability.unavailable("switched off by the TCK self-test"), UnaryOperator.identity());
        try {
            BrokenEmulatedTck.use(off);
            Events classes = EngineTestKit.engine("junit-jupiter").selectors(selectClass(BrokenEmulatedTck.class))
                    .execute().containerEvents();
            List<String> failures = classes.failed().stream().map(e -> e.getRequiredPayload(TestExecutionResult.class)
                    .getThrowable().map(Throwable::getMessage).orElse("")).toList();
            assertEquals(1, failures.size(), failures::toString);
            assertTrue(failures.get(0).contains("no TCK rule ran in BrokenEmulatedTck"), failures.get(0));
            assertTrue(failures.get(0).contains("switched off by the TCK self-test"), failures.get(0));

            BrokenEmulatedTck.applicable(false);
            Events notApplicable = EngineTestKit.engine("junit-jupiter")
                    .selectors(selectClass(BrokenEmulatedTck.class)).execute().containerEvents();
            assertEquals(0, notApplicable.failed().count(), "a backend declared not applicable may skip everything");
        } finally {
            BrokenEmulatedTck.applicable(true);
            restore(VCpuBackendTck.REQUIRE_AVAILABLE_PROPERTY, old);
        }
    }

    @Test
    void aFailingRulePrintsSeedCounterexampleAndWhatToCheckAndItsSeedReproducesIt() {
        VCpuBackendProvider broken = wrapped("emulated-sign", Bug.SIGN_EXTENSION_IGNORED.wrapper());
        String method = methodOf(Rule.EXIT_002);
        String first = failures(launch(broken)).get(method);
        assertTrue(first != null && first.contains("EXIT-002: "), () -> "EXIT-002 must fail: " + first);
        java.util.regex.Matcher seed = java.util.regex.Pattern.compile("rerun with -D"
                + org.vcpu4j.property.Property.SEED_PROPERTY + "=(-?\\d+)").matcher(first);
        assertTrue(seed.find(), first);
        assertTrue(first.contains("counterexample (after "), first);
        assertTrue(first.contains("what to check in the backend:\n  - "
                + Rule.EXIT_002.whatToCheck().get(0)), first);
        // the README's rerun: the same seed again draws the same values and shrinks to the same case
        String old = System.setProperty(org.vcpu4j.property.Property.SEED_PROPERTY, seed.group(1));
        try {
            String again = failures(launch(broken)).get(method);
            assertEquals(counterexample(first), counterexample(again));
        } finally {
            restore(org.vcpu4j.property.Property.SEED_PROPERTY, old);
        }
    }

    /** The lines of a failure message from the property report's first line to the end of the counterexample. */
    private static String counterexample(String message) {
        int start = message.indexOf("property failed on try");
        int end = message.indexOf("which fails with:");
        assertTrue(start >= 0 && end > start, message);
        return message.substring(start, end);
    }

    @Test
    void requireAvailableTurnsTheSkipIntoAFailureNamingTheReason() {
        String old = System.setProperty(VCpuBackendTck.REQUIRE_AVAILABLE_PROPERTY, "true");
        try {
            Events events = launch(new DelegatingProvider(emulated(), "emulated-off",
                    Availability.unavailable("switched off by the TCK self-test"), UnaryOperator.identity()));
            assertEquals(0, events.succeeded().count());
            assertEquals(0, events.skipped().count());
            Map<String, String> failed = failures(events);
            assertEquals(Rule.values().length, failed.size());
            failed.values().forEach(m -> assertTrue(m.contains("switched off by the TCK self-test"), m));
        } finally {
            restore(VCpuBackendTck.REQUIRE_AVAILABLE_PROPERTY, old);
        }
    }

    @Test
    void theRunnerReportsOneResultPerRuleAndFormatsTheTable() {
        List<RuleResult> results = TckRunner.run("emulated", 5);
        assertEquals(Rule.values().length, results.size());
        for (int i = 0; i < results.size(); i++) {
            assertEquals(Rule.values()[i].id(), results.get(i).ruleId(), "results come in rule order");
        }
        for (RuleResult r : results) {
            assertEquals(RuleResult.Status.PASSED, r.status(), r::toString);
        }
        String table = TckRunner.formatTable(results);
        assertTrue(table.startsWith("RULE"), table);
        for (Rule r : Rule.values()) {
            assertTrue(table.contains(r.id()), table);
        }
        assertTrue(table.contains(Rule.values().length + " rules:"), table);
        assertThrows(IllegalArgumentException.class, () -> TckRunner.run("no-such-backend", 1));
    }

    @Test
    void aMissingBackendIsNamedWithTheBackendsFoundAndWhatToAdd() {
        var ex = assertThrows(IllegalArgumentException.class, () -> TckRunner.run("no-such-backend", 1));
        assertTrue(ex.getMessage().startsWith("backend 'no-such-backend' is not on the module path or class path "
                + "(backends found: "), ex.getMessage());
        assertTrue(ex.getMessage().contains("emulated") && ex.getMessage().contains("add the jar of the backend"),
                ex.getMessage());
    }

    @Test
    void everyRuleHasExactlyOnePropertyNamedAfterIt() {
        Map<Rule, String> byRule = new TreeMap<>();
        for (Method m : VCpuBackendTck.class.getMethods()) {
            TckRule tr = m.getAnnotation(TckRule.class);
            if (tr != null) {
                assertFalse(byRule.containsKey(tr.value()), "two properties for " + tr.value());
                byRule.put(tr.value(), m.getName());
                String prefix = tr.value().id().replace("-", "").toLowerCase() + "_";
                assertTrue(m.getName().startsWith(prefix), m.getName() + " must start with " + prefix);
            }
        }
        assertEquals(Set.of(Rule.values()), byRule.keySet());
    }

    private static Events launch(VCpuBackendProvider provider) {
        BrokenEmulatedTck.use(provider);
        return EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(BrokenEmulatedTck.class))
                .execute()
                .testEvents();
    }

    private static Map<String, String> failures(Events events) {
        Map<String, String> failed = new TreeMap<>();
        events.stream().filter(e -> e.getType() == EventType.FINISHED).forEach(e -> {
            TestExecutionResult r = e.getRequiredPayload(TestExecutionResult.class);
            if (r.getStatus() == TestExecutionResult.Status.FAILED) {
                failed.put(methodName(e).orElse("?"), r.getThrowable().map(String::valueOf).orElse(""));
            }
        });
        return failed;
    }

    private static Optional<String> methodName(Event e) {
        return e.getTestDescriptor().getSource().filter(MethodSource.class::isInstance)
                .map(s -> ((MethodSource) s).getMethodName());
    }

    private static String methodOf(Rule rule) {
        for (Method m : VCpuBackendTck.class.getMethods()) {
            TckRule tr = m.getAnnotation(TckRule.class);
            if (tr != null && tr.value() == rule) {
                return m.getName();
            }
        }
        throw new AssertionError("no property for " + rule);
    }

    private static VCpuBackendProvider emulated() {
        return Backends.require("emulated");
    }

    private static VCpuBackendProvider wrapped(String id, UnaryOperator<org.vcpu4j.spi.ArchVCpu> wrapper) {
        return new DelegatingProvider(emulated(), id, wrapper);
    }

    private static void restore(String key, String old) {
        if (old == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, old);
        }
    }
}
