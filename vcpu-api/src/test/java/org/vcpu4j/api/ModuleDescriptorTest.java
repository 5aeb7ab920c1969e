package org.vcpu4j.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.module.ModuleDescriptor;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The contract module stays free of dependencies: it requires nothing but java.base. */
class ModuleDescriptorTest {

    @Test
    void requiresOnlyJavaBaseAndExportsTheContractPackages() {
        ModuleDescriptor d = VCpu.class.getModule().getDescriptor();
        assertEquals("org.vcpu4j.api", d.name());
        assertEquals(Set.of("java.base"),
                d.requires().stream().map(ModuleDescriptor.Requires::name).collect(Collectors.toSet()));
        assertEquals(Set.of("org.vcpu4j.api", "org.vcpu4j.api.aarch64", "org.vcpu4j.api.x86_64"),
                d.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet()));
    }
}
