package org.vcpu4j.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The runner's table: one line per rule with its result and reason, then a summary. */
class TckRunnerTableTest {

    @Test
    void tableHasAHeaderOneLinePerRuleAndASummary() {
        List<RuleResult> results = List.of(
                new RuleResult("LIF-001", "lif001_x", RuleResult.Status.PASSED, ""),
                new RuleResult("HVC-001", "hvc001_x", RuleResult.Status.SKIPPED, "HVC-001 needs the capability HYPERCALLS"),
                new RuleResult("PC-001", "pc001_x", RuleResult.Status.FAILED, "PC-001: the PC was not advanced"));
        List<String> lines = TckRunner.formatTable(results).lines().toList();
        assertEquals(5, lines.size(), lines::toString);
        assertTrue(lines.get(0).matches("RULE\\s+RESULT\\s+REASON"), lines.get(0));
        assertTrue(lines.get(1).matches("LIF-001\\s+PASSED\\s+The vCPU state machine.*"), lines.get(1));
        assertTrue(lines.get(2).matches("HVC-001\\s+SKIPPED\\s+HVC-001 needs the capability HYPERCALLS"), lines.get(2));
        assertTrue(lines.get(3).matches("PC-001\\s+FAILED\\s+PC-001: the PC was not advanced"), lines.get(3));
        assertEquals("3 rules: 1 passed, 1 failed, 1 skipped", lines.get(4));
    }

    @Test
    void longReasonsAreCut() {
        String reason = "x".repeat(500);
        String line = TckRunner.formatTable(List.of(new RuleResult("CTX-001", "m", RuleResult.Status.FAILED, reason)))
                .lines().toList().get(1);
        assertTrue(line.endsWith("...") && line.length() < 200, line);
    }
}
