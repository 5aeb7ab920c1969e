/**
 * The Linux KVM backend of vcpu4j, driving {@code /dev/kvm} through {@code java.lang.foreign} (no JNI,
 * no C). It exports nothing: users reach it through {@link org.vcpu4j.spi.Backends} with the id
 * {@code kvm}. It needs {@code --enable-native-access=org.vcpu4j.backend.kvm}.
 *
 * @provides org.vcpu4j.spi.VCpuBackendProvider
 */
module org.vcpu4j.backend.kvm {
    requires org.vcpu4j.spi;
    requires org.slf4j;

    provides org.vcpu4j.spi.VCpuBackendProvider with org.vcpu4j.backend.kvm.KvmBackendProvider;
}
