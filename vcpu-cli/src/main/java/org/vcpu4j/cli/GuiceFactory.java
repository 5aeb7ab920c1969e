package org.vcpu4j.cli;

import com.google.inject.Injector;
import picocli.CommandLine;

/** Lets picocli create commands through Guice, so commands get their collaborators injected. */
final class GuiceFactory implements CommandLine.IFactory {
    private final Injector injector;

    GuiceFactory(Injector injector) {
        this.injector = injector;
    }

    @Override
    public <K> K create(Class<K> type) throws Exception {
        if (type.getPackageName().startsWith("org.vcpu4j.cli")) {
            return injector.getInstance(type);
        }
        return CommandLine.defaultFactory().create(type);
    }
}
