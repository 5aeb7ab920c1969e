package org.vcpu4j.tck.arbitraries;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/** Any instruction that makes {@code run()} return with the PC past it: what the PC contract is about. */
public sealed interface TrapCase permits TrapCase.Mmio, TrapCase.RegisterSpace, TrapCase.Call, TrapCase.Halt {

    /**
     * A load or store to unmapped memory.
     *
     * @param access the access
     */
    record Mmio(MmioCase access) implements TrapCase {}

    /**
     * A trapped system-register access or a port access.
     *
     * @param access the access
     */
    record RegisterSpace(RegisterSpaceCase access) implements TrapCase {}

    /**
     * An HVC or SMC (AArch64).
     *
     * @param call the call
     */
    record Call(A64Call call) implements TrapCase {}

    /** WFI or HLT. */
    record Halt() implements TrapCase {}

    /**
     * {@return every trap case of an ISA}
     *
     * @param aarch64 whether the ISA is AArch64
     * @param mmioAddresses unmapped addresses
     * @param registerSpace whether register-space traps surface on the backend
     * @param calls whether calls (PSCI or hypercalls) surface on the backend
     */
    static Arbitrary<TrapCase> of(boolean aarch64, Arbitrary<Long> mmioAddresses, boolean registerSpace,
            boolean calls) {
        Arbitrary<TrapCase> mmio = (aarch64 ? MmioCase.a64(mmioAddresses) : MmioCase.x86(mmioAddresses))
                .map(TrapCase.Mmio::new);
        Arbitrary<TrapCase> halt = Arbitraries.just(new TrapCase.Halt());
        Arbitrary<TrapCase> regs = (aarch64 ? RegisterSpaceCase.a64() : RegisterSpaceCase.x86())
                .map(TrapCase.RegisterSpace::new);
        Arbitrary<TrapCase> call = Arbitraries.oneOf(A64Arbitraries.psciCalls(), A64Arbitraries.hypercalls())
                .map(TrapCase.Call::new);
        if (aarch64 && calls && registerSpace) {
            return Arbitraries.oneOf(mmio, halt, regs, call);
        } else if (aarch64 && calls) {
            return Arbitraries.oneOf(mmio, halt, call);
        } else if (registerSpace) {
            return Arbitraries.oneOf(mmio, halt, regs);
        }
        return Arbitraries.oneOf(mmio, halt);
    }
}
