package org.vcpu4j.gdb.internal;

import org.vcpu4j.api.RegisterState;

/** How one ISA's registers appear to gdb: the target description and the g/p packet layout. */
public interface RegisterLayout {
    /** {@return the target description document (qXfer:features:read:target.xml)} */
    String targetXml();

    /** {@return the number of registers (regnums 0 to count - 1)} */
    int count();

    /** {@return the size in bytes of a register} @param regnum the register */
    int size(int regnum);

    /**
     * Appends a register's value, in target byte order, as hex.
     *
     * @param state the vCPU's state
     * @param regnum the register
     * @param out where to append
     */
    void append(RegisterState state, int regnum, StringBuilder out);

    /**
     * {@return the state with a register replaced}
     *
     * @param state the vCPU's state
     * @param regnum the register
     * @param value {@link #size(int)} bytes in target byte order
     */
    RegisterState with(RegisterState state, int regnum, byte[] value);

    /** {@return the program counter} @param state the state */
    long pc(RegisterState state);

    /** {@return the regnum of the program counter} */
    int pcRegnum();

    /** {@return the registers {@code monitor regs} prints, one per line} @param state the state */
    String describeSystemRegisters(RegisterState state);
}
