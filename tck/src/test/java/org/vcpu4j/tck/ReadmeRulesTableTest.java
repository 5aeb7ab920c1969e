package org.vcpu4j.tck;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The rules table of tck/README.md documents every rule with its statement. */
class ReadmeRulesTableTest {

    @Test
    void everyRuleHasARowWithItsStatement() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        for (Rule r : Rule.values()) {
            assertTrue(readme.contains("| " + r.id() + " | " + r.statement().replace('|', '/') + " |"),
                    () -> "README.md has no up-to-date row for " + r.id());
            for (String check : r.whatToCheck()) {
                assertTrue(readme.contains(check.replace('|', '/')), () -> "README.md misses, for " + r.id() + ": " + check);
            }
        }
    }
}
