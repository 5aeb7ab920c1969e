package org.vcpu4j.tck;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterProperty;
import org.vcpu4j.api.GuestIsa;
import org.vcpu4j.api.Hypervisor;
import org.vcpu4j.spi.Backends;
import org.vcpu4j.spi.VCpuBackendProvider;
import org.vcpu4j.tck.arbitraries.A64Arbitraries;
import org.vcpu4j.tck.arbitraries.A64Call;
import org.vcpu4j.tck.arbitraries.A64StateRecipe;
import org.vcpu4j.tck.arbitraries.MmioCase;
import org.vcpu4j.tck.arbitraries.RegisterSpaceCase;
import org.vcpu4j.tck.arbitraries.StateRecipe;
import org.vcpu4j.tck.arbitraries.TrapCase;
import org.vcpu4j.tck.arbitraries.X86Arbitraries;
import org.vcpu4j.tck.arbitraries.X86StateRecipe;
import org.vcpu4j.tck.asm.A64LoadStore;
import org.vcpu4j.tck.internal.IsaKit;
import org.vcpu4j.tck.internal.RuleChecks;

/**
 * The compatibility kit: every rule a vcpu4j backend must keep, as jqwik properties. A backend's tests
 * contain one class that extends this one and returns its provider:
 *
 * <pre>{@code
 * class EmulatedTckTest extends VCpuBackendTck {
 *     @Override
 *     public VCpuBackendProvider provider() {
 *         return Backends.provider("emulated").orElseThrow();
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
public abstract class VCpuBackendTck {
    /** The system property that turns a skip for an unavailable backend into a failure (CI sets it). */
    public static final String REQUIRE_AVAILABLE_PROPERTY = "vcpu4j.tck.requireAvailable";
    /** The system property with the number of tries per random property. */
    public static final String TRIES_PROPERTY = "vcpu4j.tck.tries";
    /** jqwik's own default-tries switch; when set as a system property it wins over {@value #TRIES_PROPERTY}. */
    public static final String JQWIK_TRIES_PROPERTY = "jqwik.tries.default";
    /** The tries per random property when {@value #TRIES_PROPERTY} is not set. */
    public static final int DEFAULT_TRIES = 100;

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

    /** {@return how many vCPUs one VM can run at once (RES-002 needs 2 or more)} */
    public int maxVCpus() {
        return 1;
    }

    /**
     * {@return the tries per random property: the system property {@value #JQWIK_TRIES_PROPERTY} if set (so
     * jqwik's own switch works too), else {@value #TRIES_PROPERTY}, else {@value #DEFAULT_TRIES}}
     */
    public static int configuredTries() {
        String jqwik = System.getProperty(JQWIK_TRIES_PROPERTY);
        if (jqwik != null && !jqwik.isBlank()) {
            return parseTries(JQWIK_TRIES_PROPERTY, jqwik);
        }
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

    /** Runs a rule's check; an assertion that does not name the rule gets the rule id in front. */
    private static void verify(Rule rule, Runnable check) {
        try {
            check.run();
        } catch (AssertionError e) {
            String message = String.valueOf(e.getMessage());
            if (message.startsWith(rule.id())) {
                throw e;
            }
            throw new AssertionError(rule.id() + ": " + message, e);
        }
    }

    private boolean arm() {
        return guestIsa() == GuestIsa.AARCH64;
    }

    /** Closes the backend opened for the property that just ran. Called by jqwik. */
    @AfterProperty
    public final void closeBackendAfterProperty() {
        if (hypervisor != null) {
            hypervisor.close();
            hypervisor = null;
            checks = null;
        }
    }

    // ---------------------------------------------------------------- generators

    /** @return operation sequences for LIF-001 */
    @Provide
    Arbitrary<List<LifecycleOp>> lifecycleOps() {
        return Arbitraries.of(LifecycleOp.class).list().ofMinSize(1).ofMaxSize(16);
    }

    /** @return random register states over the backend's own (CTX-001) */
    @Provide
    Arbitrary<StateRecipe> stateRecipes() {
        return arm() ? A64StateRecipe.recipes(fpSimdStateAccessible()) : X86StateRecipe.recipes();
    }

    /** @return one value per GPR below XZR */
    @Provide
    Arbitrary<List<Long>> gprValues() {
        return Arbitraries.longs().list().ofSize(arm() ? 31 : 16);
    }

    /** @return the low and high halves of V0-V31 */
    @Provide
    Arbitrary<List<Long>> vectorValues() {
        return Arbitraries.longs().list().ofSize(64);
    }

    /** @return loads and stores to unmapped addresses */
    @Provide
    Arbitrary<MmioCase> mmioCases() {
        IsaKit kit = IsaKit.of(guestIsa());
        return arm() ? MmioCase.a64(kit.mmioAddresses()) : MmioCase.x86(kit.mmioAddresses());
    }

    /** @return loads from unmapped addresses */
    @Provide
    Arbitrary<MmioCase> mmioLoads() {
        return mmioCases().filter(MmioCase::isLoad);
    }

    /** @return AArch64 single-register loads and stores wider than a byte (an address can be unaligned for them) */
    @Provide
    Arbitrary<A64LoadStore> unalignableLoadStores() {
        return A64Arbitraries.loadStores().filter(a -> a.width().bytes() > 1);
    }

    /** @return trapped system-register accesses (AArch64) or port accesses (x86-64) */
    @Provide
    Arbitrary<RegisterSpaceCase> registerSpaceCases() {
        return arm() ? RegisterSpaceCase.a64() : RegisterSpaceCase.x86();
    }

    /** @return every instruction that exits with the PC past it, as the backend's capabilities allow */
    @Provide
    Arbitrary<TrapCase> trapCases() {
        return TrapCase.of(arm(), IsaKit.of(guestIsa()).mmioAddresses(), !arm() || sysRegTrapsReachVmm(),
                psciForwarded() && hypercallsReachVmm());
    }

    /** @return PSCI calls */
    @Provide
    Arbitrary<A64Call> psciCalls() {
        return A64Arbitraries.psciCalls();
    }

    /** @return non-PSCI calls */
    @Provide
    Arbitrary<A64Call> hypercalls() {
        return A64Arbitraries.hypercalls();
    }

    /** @return interrupt ids (AArch64 INTIDs, x86 vectors) */
    @Provide
    Arbitrary<Integer> interruptIds() {
        return arm() ? A64Arbitraries.interruptIds() : X86Arbitraries.vectors();
    }

    /** @return 8-byte aligned unmapped addresses */
    @Provide
    Arbitrary<Long> unmappedAddresses() {
        return IsaKit.of(guestIsa()).mmioAddresses();
    }

    /** @return 64 random bytes of guest code */
    @Provide
    Arbitrary<byte[]> randomCode() {
        return Arbitraries.bytes().array(byte[].class).ofSize(64);
    }

    /** @return AArch64 register numbers 0-31, XZR included */
    @Provide
    Arbitrary<Integer> registersWithZr() {
        return A64Arbitraries.registersWithZr();
    }

    /** @return NOPs placed before the instruction under test */
    @Provide
    Arbitrary<Integer> padding() {
        return Arbitraries.integers().between(0, 8);
    }

    // ---------------------------------------------------------------- LIF

    /**
     * LIF-001: the state machine accepts exactly the legal transitions.
     *
     * @param ops the operations, applied in order to a fresh vCPU
     */
    @Property
    @TckRule(Rule.LIF_001)
    public void lif001_stateMachineAcceptsExactlyTheLegalTransitions(@ForAll("lifecycleOps") List<LifecycleOp> ops) {
        verify(Rule.LIF_001, () -> checks().lif001(ops));
    }

    /** LIF-002: closing a VM closes its vCPUs, close is idempotent and closed vCPUs refuse operations. */
    @Example
    @TckRule(Rule.LIF_002)
    public void lif002_closeIsIdempotentAndFinal() {
        verify(Rule.LIF_002, () -> checks().lif002());
    }

    // ---------------------------------------------------------------- CTX

    /**
     * CTX-001: restore then save is the identity.
     *
     * @param recipe the random state
     */
    @Property
    @TckRule(Rule.CTX_001)
    public void ctx001_restoreThenSaveIsIdentity(@ForAll("stateRecipes") StateRecipe recipe) {
        verify(Rule.CTX_001, () -> checks().ctx001(recipe));
    }

    /**
     * CTX-002: a guest that stores its registers shows the restored values.
     *
     * @param gprs the GPR values
     */
    @Property
    @TckRule(Rule.CTX_002)
    public void ctx002_guestSeesTheRestoredRegisters(@ForAll("gprValues") List<Long> gprs) {
        verify(Rule.CTX_002, () -> checks().ctx002(gprs));
    }

    /**
     * CTX-004: a guest that stores its SIMD&amp;FP registers shows the restored values.
     *
     * @param vectors the V register values
     */
    @Property
    @TckRule(Rule.CTX_004)
    public void ctx004_guestSeesTheRestoredVectorRegisters(@ForAll("vectorValues") List<Long> vectors) {
        verify(Rule.CTX_004, () -> checks().ctx004(vectors));
    }

    /**
     * CTX-003: running across an MMIO exit changes only the PC and the completed register.
     *
     * @param access the access
     * @param gprs the other registers
     * @param deviceValue the completion value
     */
    @Property
    @TckRule(Rule.CTX_003)
    public void ctx003_runAcrossAnExitChangesOnlyWhatTheExitExplains(@ForAll("mmioCases") MmioCase access,
            @ForAll("gprValues") List<Long> gprs, @ForAll long deviceValue) {
        verify(Rule.CTX_003, () -> checks().ctx003(access, gprs, deviceValue));
    }

    // ---------------------------------------------------------------- EXIT

    /**
     * EXIT-001: loads and stores to unmapped addresses exit with the fields the encoding means.
     *
     * @param access the access
     * @param gprs the registers
     */
    @Property
    @TckRule(Rule.EXIT_001)
    public void exit001_mmioExitMatchesTheEncoding(@ForAll("mmioCases") MmioCase access,
            @ForAll("gprValues") List<Long> gprs) {
        verify(Rule.EXIT_001, () -> checks().exit001(access, gprs));
    }

    /**
     * EXIT-002: completing a load leaves exactly the architectural value.
     *
     * @param access the load
     * @param gprs the registers
     * @param deviceValue the completion value
     */
    @Property
    @TckRule(Rule.EXIT_002)
    public void exit002_completionLeavesTheArchitecturalValue(@ForAll("mmioLoads") MmioCase access,
            @ForAll("gprValues") List<Long> gprs, @ForAll long deviceValue) {
        verify(Rule.EXIT_002, () -> checks().exit002(access, gprs, deviceValue));
    }

    /**
     * EXIT-003: accesses without a valid syndrome become nested page faults at the faulting instruction.
     *
     * @param kind 0 = LDP, 1 = STP, 2 = branch (instruction fetch)
     * @param address the unmapped address
     * @param gprs the registers
     */
    @Property
    @TckRule(Rule.EXIT_003)
    public void exit003_accessWithoutSyndromeIsANestedPageFault(@ForAll @IntRange(min = 0, max = 2) int kind,
            @ForAll("unmappedAddresses") long address, @ForAll("gprValues") List<Long> gprs) {
        verify(Rule.EXIT_003, () -> checks().exit003(kind, address, gprs));
    }

    /**
     * EXIT-004: an MMIO exit answered with an external abort is taken by the guest as a data abort.
     *
     * @param access the access
     * @param gprs the registers
     */
    @Property
    @TckRule(Rule.EXIT_004)
    public void exit004_externalAbortAnswerIsTakenByTheGuest(@ForAll("mmioCases") MmioCase access,
            @ForAll("gprValues") List<Long> gprs) {
        verify(Rule.EXIT_004, () -> checks().exit004(access, gprs));
    }

    /**
     * ALIGN-001: an unaligned access with the MMU off is an alignment fault the guest takes.
     *
     * @param access the load or store (two bytes wide or more)
     * @param skew how far from its alignment the address is (taken modulo the width, never 0)
     * @param toRam whether RAM is behind the address (else nothing is)
     * @param unmapped the unmapped address used when {@code toRam} is false
     * @param gprs the registers
     */
    @Property
    @TckRule(Rule.ALIGN_001)
    public void align001_unalignedAccessWithTheMmuOffIsAnAlignmentFault(@ForAll("unalignableLoadStores")
            A64LoadStore access, @ForAll @IntRange(min = 1, max = 7) int skew, @ForAll boolean toRam,
            @ForAll("unmappedAddresses") long unmapped, @ForAll("gprValues") List<Long> gprs) {
        verify(Rule.ALIGN_001, () -> checks().align001(access, skew, toRam, unmapped, gprs));
    }

    // ---------------------------------------------------------------- PC

    /**
     * PC-001: every trapping exit leaves the PC past the instruction.
     *
     * @param trap the trapping instruction
     * @param nops NOPs placed before it
     * @param gprs the registers
     */
    @Property
    @TckRule(Rule.PC_001)
    public void pc001_pcPointsPastTheTrappingInstruction(@ForAll("trapCases") TrapCase trap,
            @ForAll("padding") int nops, @ForAll("gprValues") List<Long> gprs) {
        verify(Rule.PC_001, () -> checks().pc001(trap, nops, gprs));
    }

    // ---------------------------------------------------------------- SYS

    /**
     * SYS-001: register-space reads exit with address and destination, and complete exactly.
     *
     * @param access the access (writes are mapped to reads by the check)
     * @param gprs the registers
     * @param value the completion value
     */
    @Property
    @TckRule(Rule.SYS_001)
    public void sys001_registerSpaceReadExitsAndCompletes(@ForAll("registerSpaceCases") RegisterSpaceCase access,
            @ForAll("gprValues") List<Long> gprs, @ForAll long value) {
        verify(Rule.SYS_001, () -> checks().sys001(access, gprs, value));
    }

    /**
     * SYS-002: register-space writes exit with address and value.
     *
     * @param access the access (reads are mapped to writes by the check)
     * @param gprs the registers
     */
    @Property
    @TckRule(Rule.SYS_002)
    public void sys002_registerSpaceWriteExitsWithTheValue(@ForAll("registerSpaceCases") RegisterSpaceCase access,
            @ForAll("gprValues") List<Long> gprs) {
        verify(Rule.SYS_002, () -> checks().sys002(access, gprs));
    }

    // ---------------------------------------------------------------- PSCI, HVC

    /**
     * PSCI-001: PSCI calls become their exits.
     *
     * @param call the call
     * @param gprs the other registers
     */
    @Property
    @TckRule(Rule.PSCI_001)
    public void psci001_psciCallsBecomeTheirExits(@ForAll("psciCalls") A64Call call,
            @ForAll("gprValues") List<Long> gprs) {
        verify(Rule.PSCI_001, () -> checks().psci001(call, gprs));
    }

    /**
     * HVC-001: other calls become Hypercall(x0, x1..x6).
     *
     * @param call the call
     * @param gprs the other registers
     */
    @Property
    @TckRule(Rule.HVC_001)
    public void hvc001_hypercallCarriesNumberAndArguments(@ForAll("hypercalls") A64Call call,
            @ForAll("gprValues") List<Long> gprs) {
        verify(Rule.HVC_001, () -> checks().hvc001(call, gprs));
    }

    /**
     * HVC-002: setReturnValue is what the guest sees in x0.
     *
     * @param call the call
     * @param gprs the other registers
     * @param returnValue the value returned
     */
    @Property
    @TckRule(Rule.HVC_002)
    public void hvc002_guestSeesTheReturnValue(@ForAll("hypercalls") A64Call call,
            @ForAll("gprValues") List<Long> gprs, @ForAll long returnValue) {
        verify(Rule.HVC_002, () -> checks().hvc002(call, gprs, returnValue));
    }

    // ---------------------------------------------------------------- IRQ, KICK

    /**
     * IRQ-001: an injected interrupt is taken by a guest that unmasks.
     *
     * @param intid the interrupt id or vector
     */
    @Property
    @TckRule(Rule.IRQ_001)
    public void irq001_injectedInterruptIsTakenWhenUnmasked(@ForAll("interruptIds") int intid) {
        verify(Rule.IRQ_001, () -> checks().irq001(intid));
    }

    /** IRQ-002: an interrupt id the ISA has no interrupt for is refused on any thread; the vCPU stays usable. */
    @Example
    @TckRule(Rule.IRQ_002)
    public void irq002_impossibleInterruptIdsAreRefusedOnAnyThread() {
        verify(Rule.IRQ_002, () -> checks().irq002());
    }

    /**
     * IPI-001: an ICC_SGI1R_EL1 write exits as SendIpi.
     *
     * @param value the value written
     * @param rt the source register (31 = XZR)
     * @param gprs the other registers
     */
    @Property
    @TckRule(Rule.IPI_001)
    public void ipi001_sgiRegisterWriteExitsAsSendIpi(@ForAll long value, @ForAll("registersWithZr") int rt,
            @ForAll("gprValues") List<Long> gprs) {
        verify(Rule.IPI_001, () -> checks().ipi001(value, rt, gprs));
    }

    /** KICK-001: requestExit from another thread ends a spinning guest's run. */
    @Example
    @TckRule(Rule.KICK_001)
    public void kick001_requestExitFromAnotherThreadEndsTheRun() {
        verify(Rule.KICK_001, () -> checks().kick001());
    }

    /** KICK-002: a request between runs makes the next run return at once. */
    @Example
    @TckRule(Rule.KICK_002)
    public void kick002_requestExitBetweenRunsIsNotLost() {
        verify(Rule.KICK_002, () -> checks().kick002());
    }

    // ---------------------------------------------------------------- ROB

    /**
     * ROB-001: random code never makes run() throw.
     *
     * @param code random instruction bytes
     */
    @Property
    @TckRule(Rule.ROB_001)
    public void rob001_randomCodeNeverMakesRunThrow(@ForAll("randomCode") byte[] code) {
        verify(Rule.ROB_001, () -> checks().rob001(code));
    }

    // ---------------------------------------------------------------- RES

    /** RES-001: many VMs and vCPUs leak no file descriptors. */
    @Example
    @TckRule(Rule.RES_001)
    public void res001_manyVmsAndVCpusLeakNoDescriptors() {
        verify(Rule.RES_001, () -> checks().res001());
    }

    /** RES-002: maxVCpus() vCPUs run at once on their own threads. */
    @Example
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
