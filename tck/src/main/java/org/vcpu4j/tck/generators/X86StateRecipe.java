package org.vcpu4j.tck.generators;

import java.util.List;
import org.vcpu4j.property.Gen;
import org.vcpu4j.api.RegisterState;
import org.vcpu4j.api.x86_64.X86_64State;

/**
 * A random x86-64 state over a baseline: words 0-15 the GPRs in encoding order, 16 RIP (below 2 GiB),
 * 17 the status flags and DF of RFLAGS (CF PF AF ZF SF DF OF, mask 0xCD5; bit 1 is always set, IF stays
 * clear). Segments, descriptor tables and control registers keep the baseline's values.
 *
 * @param words the raw words, {@link #WORDS} of them
 */
public record X86StateRecipe(List<Long> words) implements StateRecipe {
    /** The number of raw words. */
    public static final int WORDS = 18;

    /** Copies and checks the words. */
    public X86StateRecipe {
        words = List.copyOf(words);
        if (words.size() != WORDS) {
            throw new IllegalArgumentException("an x86-64 recipe has " + WORDS + " words, not " + words.size());
        }
    }

    /** {@return random recipes} */
    public static Gen<StateRecipe> recipes() {
        return Gen.longs().list().ofSize(WORDS).map(X86StateRecipe::new);
    }

    @Override
    public RegisterState applyTo(RegisterState baseline) {
        X86_64State.Builder b = ((X86_64State) baseline).toBuilder();
        for (int i = 0; i < 16; i++) {
            b.gpr(i, words.get(i));
        }
        return b.rip(words.get(16) & 0x7FFF_FFFFL).rflags(2 | words.get(17) & 0xCD5L).build();
    }
}
