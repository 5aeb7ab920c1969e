package org.vcpu4j.tck.internal;

import org.vcpu4j.spi.Backends;
import org.vcpu4j.spi.VCpuBackendProvider;
import org.vcpu4j.tck.VCpuBackendTck;

/**
 * The concrete TCK class {@link org.vcpu4j.tck.TckRunner} launches: its provider is the backend whose
 * id the runner set in {@link #BACKEND_ID_PROPERTY}. Backends keep their default capabilities; the vCPU
 * count comes from {@link #MAX_VCPUS_PROPERTY} (default 2).
 */
public class SelectedBackendTck extends VCpuBackendTck {
    /** The system property the runner sets to the backend id for the duration of a run. */
    public static final String BACKEND_ID_PROPERTY = "vcpu4j.tck.backendId";
    /** The system property with the vCPU count for RES-002. */
    public static final String MAX_VCPUS_PROPERTY = "vcpu4j.tck.maxVCpus";

    /** Created by JUnit. */
    public SelectedBackendTck() {}

    @Override
    public VCpuBackendProvider provider() {
        String id = System.getProperty(BACKEND_ID_PROPERTY);
        if (id == null) {
            throw new IllegalStateException("no backend selected: set " + BACKEND_ID_PROPERTY
                    + " or use org.vcpu4j.tck.TckRunner.run(backendId)");
        }
        return Backends.require(id);
    }

    @Override
    public int maxVCpus() {
        return Integer.getInteger(MAX_VCPUS_PROPERTY, 2);
    }
}
