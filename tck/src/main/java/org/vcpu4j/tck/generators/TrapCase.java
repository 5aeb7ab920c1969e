package org.vcpu4j.tck.generators;

import org.vcpu4j.property.Gen;

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
    static Gen<TrapCase> of(boolean aarch64, Gen<Long> mmioAddresses, boolean registerSpace,
            boolean calls) {
        Gen<TrapCase> mmio = (aarch64 ? MmioCase.a64(mmioAddresses) : MmioCase.x86(mmioAddresses))
                .map(TrapCase.Mmio::new);
        Gen<TrapCase> halt = Gen.just(new TrapCase.Halt());
        Gen<TrapCase> regs = (aarch64 ? RegisterSpaceCase.a64() : RegisterSpaceCase.x86())
                .map(TrapCase.RegisterSpace::new);
        Gen<TrapCase> call = Gen.oneOf(A64Generators.psciCalls(), A64Generators.hypercalls())
                .map(TrapCase.Call::new);
        if (aarch64 && calls && registerSpace) {
            return Gen.oneOf(mmio, halt, regs, call);
        } else if (aarch64 && calls) {
            return Gen.oneOf(mmio, halt, call);
        } else if (registerSpace) {
            return Gen.oneOf(mmio, halt, regs);
        }
        return Gen.oneOf(mmio, halt);
    }
}
