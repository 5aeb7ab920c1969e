package org.vcpu4j.api;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The VM-level state of an interrupt controller as a value. For a GICv3 it is what KVM's
 * {@code KVM_DEV_ARM_VGIC_GRP_DIST_REGS} and {@code KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO} carry: the
 * distributor registers by their offset in the distributor frame (GICD_IROUTER&lt;n&gt; as one 64-bit value),
 * and the level of each input line. The per-vCPU part (redistributor, CPU interface, timer) travels in
 * the vCPU's {@link VCpu#saveState}.
 *
 * @param config the configuration of the controller it came from
 * @param registers register values by offset
 * @param levels the level of each line at the time of the save, by line (only high lines are listed)
 */
public record InterruptControllerState(InterruptControllerConfig config, Map<Integer, Long> registers,
                                       java.util.Set<Integer> levels) {
    /** Validates and copies the fields (sorted, immutable). */
    public InterruptControllerState {
        Objects.requireNonNull(config, "config");
        registers = Collections.unmodifiableMap(new TreeMap<>(Objects.requireNonNull(registers, "registers")));
        levels = Collections.unmodifiableSet(new java.util.TreeSet<>(Objects.requireNonNull(levels, "levels")));
    }
}
