package org.vcpu4j.tck;

import static org.vcpu4j.property.Property.forAll;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.vcpu4j.api.GuestIsa;
import org.vcpu4j.api.Hypervisor;
import org.vcpu4j.api.InterruptControllerConfig;
import org.vcpu4j.property.Property;
import org.vcpu4j.spi.Backends;
import org.vcpu4j.spi.VCpuBackendProvider;
import org.vcpu4j.tck.generators.A64Generators;
import org.vcpu4j.tck.generators.A64Call;
import org.vcpu4j.tck.generators.A64StateRecipe;
import org.vcpu4j.tck.generators.MmioCase;
import org.vcpu4j.tck.generators.RegisterSpaceCase;
import org.vcpu4j.tck.generators.StateRecipe;
import org.vcpu4j.tck.generators.TrapCase;
import org.vcpu4j.tck.generators.X86Generators;
import org.vcpu4j.tck.generators.X86StateRecipe;
import org.vcpu4j.tck.asm.A64LoadStore;
import org.vcpu4j.property.Gen;
import org.vcpu4j.property.PropertyFailure;
import org.vcpu4j.tck.internal.InterruptChecks;
import org.vcpu4j.tck.internal.IsaKit;
import org.vcpu4j.tck.internal.RuleChecks;
import org.vcpu4j.tck.internal.TckRunGuard;

/**
 * The compatibility kit: every rule a vcpu4j backend must keep, as JUnit Jupiter tests (random rules are
 * properties of vcpu4j's own engine, {@link org.vcpu4j.property.Property}). A backend's tests
 * contain one class that extends this one and returns its provider:
 *
 * <pre>{@code
 * class EmulatedTckTest extends VCpuBackendTck {
 *     @Override
 *     public VCpuBackendProvider provider() {
 *         return Backends.require("emulated");
 *     }
 * }
 * }</pre>
 *
 * <p>Each property is named after its {@link Rule} ({@code ctx001_...} checks CTX-001) and carries
 * {@link TckRule}. A rule is skipped, with the reason, when the backend is unavailable (a failure
 * instead when {@value #REQUIRE_AVAILABLE_PROPERTY} is {@code true}) or when the backend does not
 * declare a capability the rule needs (override the capability methods below). Random properties run
 * {@value #TRIES_PROPERTY} tries (default {@value #DEFAULT_TRIES}).
 *
 * <p>Guests run in the layout of the ISA's kit: AArch64 RAM at 0x4000_0000 (code at +0x1000), x86-64
 * RAM at 0 (code at 0x1000, setup tables at 0x10_0000); see {@code tck/README.md}.
 */
@SuppressWarnings("exports") // JUnit instantiates the extension reflectively; the module is open
@ExtendWith(TckRunGuard.class)
public abstract class VCpuBackendTck {
    /** The system property that turns a skip for an unavailable backend into a failure (CI sets it). */
    public static final String REQUIRE_AVAILABLE_PROPERTY = "vcpu4j.tck.requireAvailable";
    /** The system property with the number of tries per random property. */
    public static final String TRIES_PROPERTY = "vcpu4j.tck.tries";
    /** The tries per random property when {@value #TRIES_PROPERTY} is not set. */
    public static final int DEFAULT_TRIES = 100;
    /** At most this many tries for an interrupt rule: each waits for a quiet period in WFI/HLT. */
    private static final int INTERRUPT_TRIES = 5;
    /** Few shrink steps for an interrupt rule: a failing try may wait out the liveness bound each time. */
    private static final int INTERRUPT_SHRINK_ATTEMPTS = 3;

    private Hypervisor hypervisor;
    private RuleChecks checks;

    /** For subclasses. */
    protected VCpuBackendTck() {}

    /** {@return the provider of the backend under test; called once per property and by the skip hook} */
    public abstract VCpuBackendProvider provider();

    // ---------------------------------------------------------------- capabilities

    /**
     * {@return whether this host is one the backend must run on, so that {@value #REQUIRE_AVAILABLE_PROPERTY}
     * turns its unavailability into a failure (default true; a backend for another OS overrides it, e.g.
     * HVF returns true only on macOS/aarch64, so CI on Linux still skips it)}
     */
    public boolean hostShouldSupportBackend() {
        return true;
    }

    /** {@return the ISA of the guests the backend runs; the TCK picks the matching assembler} */
    public GuestIsa guestIsa() {
        return provider().guestIsa();
    }

    /**
     * {@return whether MRS/MSR of registers in {@code Aarch64SetupConfig.trappedSystemRegisters} become
     * SysRegRead/SysRegWrite exits (AArch64; SYS-001 and SYS-002 use ports on x86-64 and always run)}
     */
    public boolean sysRegTrapsReachVmm() {
        return guestIsa() == GuestIsa.AARCH64;
    }

    /** {@return whether PSCI calls surface as CpuUp/CpuDown/SystemDown/SystemReset exits (PSCI-001)} */
    public boolean psciForwarded() {
        return guestIsa() == GuestIsa.AARCH64;
    }

    /** {@return whether non-PSCI hypercalls surface as Hypercall exits (HVC-001, HVC-002)} */
    public boolean hypercallsReachVmm() {
        return guestIsa() == GuestIsa.AARCH64;
    }

    /** {@return whether saveState/restoreState carry the guest's SIMD&amp;FP registers (CTX-001, CTX-002)} */
    public boolean fpSimdStateAccessible() {
        return guestIsa() == GuestIsa.AARCH64;
    }

    /** {@return whether writes of ICC_SGI1R_EL1 surface as SendIpi exits (IPI-001, AArch64)} */
    public boolean ipisReachVmm() {
        return guestIsa() == GuestIsa.AARCH64;
    }

    /** {@return whether injectInterrupt reaches the guest (IRQ-001)} */
    public boolean interruptsInjectable() {
        return true;
    }

    /**
     * {@return whether the backend's VMs create an interrupt controller (INT-*): AArch64 a GICv3 at QEMU
     * virt's frames, x86-64 the in-kernel irqchip with its PIT}
     */
    public boolean interruptControllerOffered() {
        return true;
    }

    /** {@return how many vCPUs one VM can run at once (RES-002 needs 2 or more)} */
    public int maxVCpus() {
        return 1;
    }

    /**
     * {@return the tries per random property: {@value #TRIES_PROPERTY}, else {@value #DEFAULT_TRIES} (the
     * engine's {@value org.vcpu4j.property.Property#TRIES_PROPERTY}, when set, wins over both)}
     */
    public static int configuredTries() {
        String v = System.getProperty(TRIES_PROPERTY);
        return v == null || v.isBlank() ? DEFAULT_TRIES : parseTries(TRIES_PROPERTY, v);
    }

    private static int parseTries(String property, String v) {
        try {
            int tries = Integer.parseInt(v.strip());
            if (tries < 1) {
                throw new IllegalArgumentException(property + " must be at least 1, not " + tries);
            }
            return tries;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(property + " must be a number, not '" + v + "'", e);
        }
    }

    /** {@return whether {@value #REQUIRE_AVAILABLE_PROPERTY} is {@code true}} */
    public static boolean requireAvailable() {
        return Boolean.getBoolean(REQUIRE_AVAILABLE_PROPERTY);
    }

    // ---------------------------------------------------------------- plumbing

    private RuleChecks checks() {
        if (checks == null) {
            hypervisor = Backends.open(provider());
            checks = new RuleChecks(hypervisor, IsaKit.of(guestIsa()), this);
        }
        return checks;
    }

    private InterruptChecks interruptChecks() {
        checks();
        return new InterruptChecks(hypervisor, IsaKit.of(guestIsa()));
    }

    /**
     * Runs a rule's check. A failure's message starts with the rule id and what went wrong (the first
     * line is what {@code ./vcpu tck} prints), then, for a property, the seed and the shrunk
     * counterexample, then the rule's list of what to check in the backend.
     */
    private static void verify(Rule rule, Runnable check) {
        try {
            check.run();
        } catch (AssertionError e) {
            Throwable what = e instanceof PropertyFailure && e.getCause() != null ? e.getCause() : e;
            String problem = String.valueOf(what.getMessage());
            StringBuilder message = new StringBuilder();
            message.append(problem.startsWith(rule.id()) ? "" : rule.id() + ": ").append(problem).append('\n');
            if (e instanceof PropertyFailure) {
                message.append(e.getMessage());
            }
            message.append("what to check in the backend:\n  - ").append(String.join("\n  - ", rule.whatToCheck()));
            throw new AssertionError(message.toString(), e);
        }
    }

    private boolean arm() {
        return guestIsa() == GuestIsa.AARCH64;
    }

    /** Closes the backend opened for the rule that just ran. Called by JUnit. */
    @AfterEach
    public final void closeBackendAfterRule() {
        if (hypervisor != null) {
            hypervisor.close();
            hypervisor = null;
            checks = null;
        }
    }

    // ---------------------------------------------------------------- generators

    /** @return operation sequences for LIF-001 */
    Gen<List<LifecycleOp>> lifecycleOps() {
        return Gen.of(LifecycleOp.class).list().ofMinSize(1).ofMaxSize(16);
    }

    /** @return random register states over the backend's own (CTX-001) */
    Gen<StateRecipe> stateRecipes() {
        return arm() ? A64StateRecipe.recipes(fpSimdStateAccessible()) : X86StateRecipe.recipes();
    }

    /** @return one value per GPR below XZR */
    Gen<List<Long>> gprValues() {
        return Gen.longs().list().ofSize(arm() ? 31 : 16);
    }

    /** @return the low and high halves of V0-V31 */
    Gen<List<Long>> vectorValues() {
        return Gen.longs().list().ofSize(64);
    }

    /** @return loads and stores to unmapped addresses */
    Gen<MmioCase> mmioCases() {
        IsaKit kit = IsaKit.of(guestIsa());
        return arm() ? MmioCase.a64(kit.mmioAddresses()) : MmioCase.x86(kit.mmioAddresses());
    }

    /** @return loads from unmapped addresses */
    Gen<MmioCase> mmioLoads() {
        return mmioCases().filter(MmioCase::isLoad);
    }

    /** @return AArch64 single-register loads and stores wider than a byte (an address can be unaligned for them) */
    Gen<A64LoadStore> unalignableLoadStores() {
        return A64Generators.loadStores().filter(a -> a.width().bytes() > 1);
    }

    /** @return trapped system-register accesses (AArch64) or port accesses (x86-64) */
    Gen<RegisterSpaceCase> registerSpaceCases() {
        return arm() ? RegisterSpaceCase.a64() : RegisterSpaceCase.x86();
    }

    /** @return every instruction that exits with the PC past it, as the backend's capabilities allow */
    Gen<TrapCase> trapCases() {
        return TrapCase.of(arm(), IsaKit.of(guestIsa()).mmioAddresses(), !arm() || sysRegTrapsReachVmm(),
                psciForwarded() && hypercallsReachVmm());
    }

    /** @return PSCI calls */
    Gen<A64Call> psciCalls() {
        return A64Generators.psciCalls();
    }

    /** @return non-PSCI calls */
    Gen<A64Call> hypercalls() {
        return A64Generators.hypercalls();
    }

    /** @return interrupt ids (AArch64 INTIDs, x86 vectors) */
    Gen<Integer> interruptIds() {
        return arm() ? A64Generators.interruptIds() : X86Generators.vectors();
    }

    /** @return 8-byte aligned unmapped addresses */
    Gen<Long> unmappedAddresses() {
        return IsaKit.of(guestIsa()).mmioAddresses();
    }

    /** @return 64 random bytes of guest code */
    Gen<byte[]> randomCode() {
        return Gen.bytes(64);
    }

    /** @return AArch64 register numbers 0-31, XZR included */
    Gen<Integer> registersWithZr() {
        return A64Generators.registersWithZr();
    }

    /** @return NOPs placed before the instruction under test */
    Gen<Integer> padding() {
        return Gen.integers().between(0, 8);
    }

    // ---------------------------------------------------------------- LIF

    /**
     * LIF-001: the state machine accepts exactly the legal transitions.
     *
     * <p>Draws {@code ops}: the operations, applied in order to a fresh vCPU.
     */
    @Test
    @TckRule(Rule.LIF_001)
    public void lif001_stateMachineAcceptsExactlyTheLegalTransitions() {
        verify(Rule.LIF_001, () -> forAll(lifecycleOps())
                .tries(configuredTries())
                .check(ops -> checks().lif001(ops)));
    }

    /** LIF-002: closing a VM closes its vCPUs, close is idempotent and closed vCPUs refuse operations. */
    @Test
    @TckRule(Rule.LIF_002)
    public void lif002_closeIsIdempotentAndFinal() {
        verify(Rule.LIF_002, () -> checks().lif002());
    }

    /**
     * LIF-003: register writes during a pending load are refused, and so are vCPU ids above the limit.
     *
     * <p>Draws {@code access}: the load; {@code gprs}: the registers; {@code register}: the register written while the load waits;
     * {@code value}: what is written.
     */
    @Test
    @TckRule(Rule.LIF_003)
    public void lif003_misuseIsRefusedAlikeOnEveryBackend() {
        verify(Rule.LIF_003, () -> forAll(mmioLoads(), gprValues(), Gen.integers().between(0, 15), Gen.longs())
                .tries(configuredTries())
                .check((access, gprs, register, value) -> checks().lif003(access, gprs, register, value)));
    }

    // ---------------------------------------------------------------- CTX

    /**
     * CTX-001: restore then save is the identity.
     *
     * <p>Draws {@code recipe}: the random state.
     */
    @Test
    @TckRule(Rule.CTX_001)
    public void ctx001_restoreThenSaveIsIdentity() {
        verify(Rule.CTX_001, () -> forAll(stateRecipes())
                .tries(configuredTries())
                .check(recipe -> checks().ctx001(recipe)));
    }

    /**
     * CTX-002: a guest that stores its registers shows the restored values.
     *
     * <p>Draws {@code gprs}: the GPR values.
     */
    @Test
    @TckRule(Rule.CTX_002)
    public void ctx002_guestSeesTheRestoredRegisters() {
        verify(Rule.CTX_002, () -> forAll(gprValues())
                .tries(configuredTries())
                .check(gprs -> checks().ctx002(gprs)));
    }

    /**
     * CTX-004: a guest that stores its SIMD&amp;FP registers shows the restored values.
     *
     * <p>Draws {@code vectors}: the V register values.
     */
    @Test
    @TckRule(Rule.CTX_004)
    public void ctx004_guestSeesTheRestoredVectorRegisters() {
        verify(Rule.CTX_004, () -> forAll(vectorValues())
                .tries(configuredTries())
                .check(vectors -> checks().ctx004(vectors)));
    }

    /**
     * CTX-003: running across an MMIO exit changes only the PC and the completed register.
     *
     * <p>Draws {@code access}: the access; {@code gprs}: the other registers; {@code deviceValue}: the
     * completion value.
     */
    @Test
    @TckRule(Rule.CTX_003)
    public void ctx003_runAcrossAnExitChangesOnlyWhatTheExitExplains() {
        verify(Rule.CTX_003, () -> forAll(mmioCases(), gprValues(), Gen.longs())
                .tries(configuredTries())
                .check((access, gprs, deviceValue) -> checks().ctx003(access, gprs, deviceValue)));
    }

    // ---------------------------------------------------------------- EXIT

    /**
     * EXIT-001: loads and stores to unmapped addresses exit with the fields the encoding means.
     *
     * <p>Draws {@code access}: the access; {@code gprs}: the registers.
     */
    @Test
    @TckRule(Rule.EXIT_001)
    public void exit001_mmioExitMatchesTheEncoding() {
        verify(Rule.EXIT_001, () -> forAll(mmioCases(), gprValues())
                .tries(configuredTries())
                .check((access, gprs) -> checks().exit001(access, gprs)));
    }

    /**
     * EXIT-002: completing a load leaves exactly the architectural value.
     *
     * <p>Draws {@code access}: the load; {@code gprs}: the registers; {@code deviceValue}: the completion value.
     */
    @Test
    @TckRule(Rule.EXIT_002)
    public void exit002_completionLeavesTheArchitecturalValue() {
        verify(Rule.EXIT_002, () -> forAll(mmioLoads(), gprValues(), Gen.longs())
                .tries(configuredTries())
                .check((access, gprs, deviceValue) -> checks().exit002(access, gprs, deviceValue)));
    }

    /**
     * EXIT-003: accesses without a valid syndrome become nested page faults at the faulting instruction.
     *
     * <p>Draws {@code kind}: 0 = LDP, 1 = STP, 2 = branch (instruction fetch); {@code address}: the unmapped
     * address; {@code gprs}: the registers.
     */
    @Test
    @TckRule(Rule.EXIT_003)
    public void exit003_accessWithoutSyndromeIsANestedPageFault() {
        verify(Rule.EXIT_003, () -> forAll(Gen.integers().between(0, 2), unmappedAddresses(), gprValues())
                .tries(configuredTries())
                .check((kind, address, gprs) -> checks().exit003(kind, address, gprs)));
    }

    /**
     * EXIT-004: an MMIO exit answered with an external abort is taken by the guest as a data abort.
     *
     * <p>Draws {@code access}: the access; {@code gprs}: the registers.
     */
    @Test
    @TckRule(Rule.EXIT_004)
    public void exit004_externalAbortAnswerIsTakenByTheGuest() {
        verify(Rule.EXIT_004, () -> forAll(mmioCases(), gprValues())
                .tries(configuredTries())
                .check((access, gprs) -> checks().exit004(access, gprs)));
    }

    /**
     * EXIT-005: a load or store that straddles the end of RAM does the RAM part and exits for the rest.
     *
     * <p>Draws {@code access}: the load or store (two bytes wide or more; its address is replaced);
     * {@code inRam}: how many of its bytes lie in RAM (modulo {@code width - 1}, plus 1); {@code gprs}: the
     * registers; {@code deviceValue}: what the pieces of a load are completed with; {@code ramFill}: what the
     * last bytes of RAM hold.
     */
    @Test
    @TckRule(Rule.EXIT_005)
    public void exit005_accessStraddlingTheEndOfRamSplitsIntoRamAndMmio() {
        verify(Rule.EXIT_005, () -> forAll(mmioCases().filter(c -> c.width().bytes() > 1),
                Gen.integers().between(0, 6), gprValues(), Gen.longs(), Gen.longs())
                .tries(configuredTries())
                .check((access, inRam, gprs, deviceValue, ramFill) ->
                        checks().exit005(access, inRam, gprs, deviceValue, ramFill)));
    }

    /**
     * ALIGN-001: an unaligned access with the MMU off is an alignment fault the guest takes.
     *
     * <p>Draws {@code access}: the load or store (two bytes wide or more); {@code skew}: how far from its
     * alignment the address is (taken modulo the width, never 0); {@code toRam}: whether RAM is behind the
     * address (else nothing is); {@code unmapped}: the unmapped address used when {@code toRam} is false;
     * {@code gprs}: the registers.
     */
    @Test
    @TckRule(Rule.ALIGN_001)
    public void align001_unalignedAccessWithTheMmuOffIsAnAlignmentFault() {
        verify(Rule.ALIGN_001, () -> forAll(unalignableLoadStores(),
                Gen.integers().between(1, 7), Gen.booleans(), unmappedAddresses(), gprValues())
                .tries(configuredTries())
                .check((access, skew, toRam, unmapped, gprs) ->
                        checks().align001(access, skew, toRam, unmapped, gprs)));
    }

    // ---------------------------------------------------------------- PC

    /**
     * PC-001: every trapping exit leaves the PC past the instruction.
     *
     * <p>Draws {@code trap}: the trapping instruction; {@code nops}: NOPs placed before it; {@code gprs}: the
     * registers.
     */
    @Test
    @TckRule(Rule.PC_001)
    public void pc001_pcPointsPastTheTrappingInstruction() {
        verify(Rule.PC_001, () -> forAll(trapCases(), padding(), gprValues())
                .tries(configuredTries())
                .check((trap, nops, gprs) -> checks().pc001(trap, nops, gprs)));
    }

    // ---------------------------------------------------------------- SYS

    /**
     * SYS-001: register-space reads exit with address and destination, and complete exactly.
     *
     * <p>Draws {@code access}: the access (writes are mapped to reads by the check); {@code gprs}: the
     * registers; {@code value}: the completion value.
     */
    @Test
    @TckRule(Rule.SYS_001)
    public void sys001_registerSpaceReadExitsAndCompletes() {
        verify(Rule.SYS_001, () -> forAll(registerSpaceCases(), gprValues(), Gen.longs())
                .tries(configuredTries())
                .check((access, gprs, value) -> checks().sys001(access, gprs, value)));
    }

    /**
     * SYS-002: register-space writes exit with address and value.
     *
     * <p>Draws {@code access}: the access (reads are mapped to writes by the check); {@code gprs}: the
     * registers.
     */
    @Test
    @TckRule(Rule.SYS_002)
    public void sys002_registerSpaceWriteExitsWithTheValue() {
        verify(Rule.SYS_002, () -> forAll(registerSpaceCases(), gprValues())
                .tries(configuredTries())
                .check((access, gprs) -> checks().sys002(access, gprs)));
    }

    // ---------------------------------------------------------------- PSCI, HVC

    /**
     * PSCI-001: PSCI calls become their exits.
     *
     * <p>Draws {@code call}: the call; {@code gprs}: the other registers.
     */
    @Test
    @TckRule(Rule.PSCI_001)
    public void psci001_psciCallsBecomeTheirExits() {
        verify(Rule.PSCI_001, () -> forAll(psciCalls(), gprValues())
                .tries(configuredTries())
                .check((call, gprs) -> checks().psci001(call, gprs)));
    }

    /**
     * HVC-001: other calls become Hypercall(x0, x1..x6).
     *
     * <p>Draws {@code call}: the call; {@code gprs}: the other registers.
     */
    @Test
    @TckRule(Rule.HVC_001)
    public void hvc001_hypercallCarriesNumberAndArguments() {
        verify(Rule.HVC_001, () -> forAll(hypercalls(), gprValues())
                .tries(configuredTries())
                .check((call, gprs) -> checks().hvc001(call, gprs)));
    }

    /**
     * HVC-002: setReturnValue is what the guest sees in x0.
     *
     * <p>Draws {@code call}: the call; {@code gprs}: the other registers; {@code returnValue}: the value
     * returned.
     */
    @Test
    @TckRule(Rule.HVC_002)
    public void hvc002_guestSeesTheReturnValue() {
        verify(Rule.HVC_002, () -> forAll(hypercalls(), gprValues(), Gen.longs())
                .tries(configuredTries())
                .check((call, gprs, returnValue) -> checks().hvc002(call, gprs, returnValue)));
    }

    // ---------------------------------------------------------------- IRQ, KICK

    /**
     * IRQ-001: an injected interrupt is taken by a guest that unmasks.
     *
     * <p>Draws {@code intid}: the interrupt id or vector.
     */
    @Test
    @TckRule(Rule.IRQ_001)
    public void irq001_injectedInterruptIsTakenWhenUnmasked() {
        verify(Rule.IRQ_001, () -> forAll(interruptIds())
                .tries(configuredTries())
                .check(intid -> checks().irq001(intid)));
    }

    /** IRQ-002: an interrupt id the ISA has no interrupt for is refused on any thread; the vCPU stays usable. */
    @Test
    @TckRule(Rule.IRQ_002)
    public void irq002_impossibleInterruptIdsAreRefusedOnAnyThread() {
        verify(Rule.IRQ_002, () -> checks().irq002());
    }

    /**
     * IPI-001: an ICC_SGI1R_EL1 write exits as SendIpi.
     *
     * <p>Draws {@code value}: the value written; {@code rt}: the source register (31 = XZR); {@code gprs}: the
     * other registers.
     */
    @Test
    @TckRule(Rule.IPI_001)
    public void ipi001_sgiRegisterWriteExitsAsSendIpi() {
        verify(Rule.IPI_001, () -> forAll(Gen.longs(), registersWithZr(), gprValues())
                .tries(configuredTries())
                .check((value, rt, gprs) -> checks().ipi001(value, rt, gprs)));
    }

    /**
     * INT-001: a level-sensitive line held high is taken, again after EOI, and not once lowered.
     *
     * <p>Draws {@code line}: an SPI INTID of the GICv3 (AArch64) or an IOAPIC-only GSI, 16-23 (x86-64).
     */
    @Test
    @TckRule(Rule.INT_001)
    public void int001_aLevelLineStaysPendingWhileHighAndGoesAwayWhenLowered() {
        InterruptControllerConfig config = IsaKit.of(guestIsa()).interruptController();
        Gen<Integer> lines = arm() ? Gen.integers().between(config.firstLine(), config.lineLimit() - 1)
                : Gen.integers().between(16, 23);
        verify(Rule.INT_001, () -> forAll(lines)
                .tries(Math.min(configuredTries(), INTERRUPT_TRIES)).shrinkAttempts(INTERRUPT_SHRINK_ATTEMPTS)
                .check(line -> interruptChecks().int001(line)));
    }

    /**
     * INT-002: priority order of two pending SPIs, and ICC_PMR_EL1 masking (AArch64).
     *
     * <p>Draws two distinct SPIs and two distinct priorities, multiples of 0x10 from 0x10 to 0xe0 (so that
     * every implemented priority width keeps them apart).
     */
    @Test
    @TckRule(Rule.INT_002)
    public void int002_theHigherPriorityIsTakenFirstAndThePriorityMaskHoldsTheOther() {
        InterruptControllerConfig config = IsaKit.of(guestIsa()).interruptController();
        int first = config.firstLine();
        int count = config.lineLimit() - first;
        verify(Rule.INT_002, () -> forAll(Gen.integers().between(0, count - 1), Gen.integers().between(1, count - 1),
                Gen.integers().between(1, 13), Gen.integers().between(1, 13))
                .tries(Math.min(configuredTries(), INTERRUPT_TRIES)).shrinkAttempts(INTERRUPT_SHRINK_ATTEMPTS)
                .check((spi, otherSpi, high, lower) -> interruptChecks().int002(first + spi,
                        first + (spi + otherSpi) % count, high << 4, Math.min(high + lower, 14) << 4)));
    }

    /**
     * INT-003: the virtual timer's PPI wakes WFI after the compare value and stops when disabled (AArch64).
     *
     * <p>Draws {@code delayTicks}: how far ahead of the count the guest sets CNTV_CVAL_EL0 (up to about
     * 10 ms at QEMU's 62.5 MHz).
     */
    @Test
    @TckRule(Rule.INT_003)
    public void int003_theVirtualTimerFiresItsPpiAfterTheCompareValueAndWakesWfi() {
        verify(Rule.INT_003, () -> forAll(Gen.longs().between(0, 625_000))
                .tries(Math.min(configuredTries(), INTERRUPT_TRIES)).shrinkAttempts(INTERRUPT_SHRINK_ATTEMPTS)
                .check(delay -> interruptChecks().int003(delay)));
    }

    /**
     * INT-004: interrupt-controller and timer state survive saveState/restoreState into a fresh VM (AArch64).
     *
     * <p>Draws {@code spi}: the SPI held high; {@code delayTicks}: how far ahead the timer is armed.
     */
    @Test
    @TckRule(Rule.INT_004)
    public void int004_interruptAndTimerStateSurviveASnapshotMidFlight() {
        InterruptControllerConfig config = IsaKit.of(guestIsa()).interruptController();
        verify(Rule.INT_004, () -> forAll(Gen.integers().between(config.firstLine(), config.lineLimit() - 1),
                Gen.longs().between(0, 625_000))
                .tries(Math.min(configuredTries(), INTERRUPT_TRIES)).shrinkAttempts(INTERRUPT_SHRINK_ATTEMPTS)
                .check((spi, delay) -> interruptChecks().int004(spi, delay)));
    }

    /**
     * INT-005: an SGI from vCPU 0 reaches vCPU 1; an SPI routed to vCPU 1's affinity is taken there only.
     *
     * <p>Draws {@code sgi}: 0-15; {@code spi}: an SPI of the GICv3.
     */
    @Test
    @TckRule(Rule.INT_005)
    public void int005_sgisAndRoutedSpisReachTheVCpuTheyTarget() {
        InterruptControllerConfig config = IsaKit.of(guestIsa()).interruptController();
        verify(Rule.INT_005, () -> forAll(Gen.integers().between(0, 15),
                Gen.integers().between(config.firstLine(), config.lineLimit() - 1))
                .tries(Math.min(configuredTries(), INTERRUPT_TRIES)).shrinkAttempts(INTERRUPT_SHRINK_ATTEMPTS)
                .check((sgi, spi) -> interruptChecks().int005(sgi, spi)));
    }

    /** KICK-001: requestExit from another thread ends a spinning guest's run. */
    @Test
    @TckRule(Rule.KICK_001)
    public void kick001_requestExitFromAnotherThreadEndsTheRun() {
        verify(Rule.KICK_001, () -> checks().kick001());
    }

    /** KICK-002: a request between runs makes the next run return at once. */
    @Test
    @TckRule(Rule.KICK_002)
    public void kick002_requestExitBetweenRunsIsNotLost() {
        verify(Rule.KICK_002, () -> checks().kick002());
    }

    // ---------------------------------------------------------------- ROB

    /**
     * ROB-001: random code never makes run() throw.
     *
     * <p>Draws {@code code}: random instruction bytes.
     */
    @Test
    @TckRule(Rule.ROB_001)
    public void rob001_randomCodeNeverMakesRunThrow() {
        verify(Rule.ROB_001, () -> forAll(randomCode())
                .tries(configuredTries())
                .check(code -> checks().rob001(code)));
    }

    // ---------------------------------------------------------------- RES

    /** RES-001: many VMs and vCPUs leak no file descriptors. */
    @Test
    @TckRule(Rule.RES_001)
    public void res001_manyVmsAndVCpusLeakNoDescriptors() {
        verify(Rule.RES_001, () -> checks().res001());
    }

    /** RES-002: maxVCpus() vCPUs run at once on their own threads. */
    @Test
    @TckRule(Rule.RES_002)
    public void res002_vcpusRunConcurrentlyOnTheirOwnThreads() {
        verify(Rule.RES_002, () -> checks().res002(Math.min(maxVCpus(), 8)));
    }

    /** The operations LIF-001 applies to a vCPU. */
    public enum LifecycleOp {
        /** setup(config). */
        SETUP,
        /** bind(). */
        BIND,
        /** unbind(). */
        UNBIND,
        /** run() (the guest halts). */
        RUN,
        /** setEntry(code). */
        SET_ENTRY,
        /** saveState(). */
        SAVE_STATE,
        /** saveState() from another platform thread (refused while the vCPU is bound). */
        SAVE_STATE_ON_ANOTHER_THREAD,
        /** close(). */
        CLOSE
    }
}
