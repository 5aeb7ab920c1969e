/**
 * vcpu4j's property engine: {@link org.vcpu4j.property.Gen generators} with integrated shrinking and
 * {@link org.vcpu4j.property.Property#forAll(org.vcpu4j.property.Gen) properties} that run inside
 * ordinary tests (JUnit Jupiter or any other), reproducible by a seed.
 */
module org.vcpu4j.property {
    exports org.vcpu4j.property;
}
