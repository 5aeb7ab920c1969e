package org.vcpu4j.cli;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import jakarta.inject.Singleton;
import org.vcpu4j.cli.image.ImageLoader;
import org.vcpu4j.cli.machine.GuestConsole;
import org.vcpu4j.cli.machine.MachineRunner;

/**
 * Wires the application: the console streams, the backend catalog, the image loader, the machines and
 * the run loop. Side-effect free: nothing is probed or opened while the injector is built.
 */
public final class CliModule extends AbstractModule {
    private final Console console;

    /**
     * Creates the module.
     *
     * @param console the process's streams
     */
    public CliModule(Console console) {
        this.console = console;
    }

    @Override
    protected void configure() {
        bind(Console.class).toInstance(console);
        bind(ImageLoader.class).in(Singleton.class);
        bind(MachineRunner.class).in(Singleton.class);
        bind(BackendCatalog.class).in(Singleton.class);
    }

    @Provides
    @Singleton
    GuestConsole guestConsole() {
        return new GuestConsole(console.out());
    }
}
