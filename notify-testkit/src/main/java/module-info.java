/** Contract tests for Notify channels and stores, for implementers (third parties included) to extend. */
module dev.notify.testkit {
    requires transitive dev.notify.api;
    requires transitive org.junit.jupiter.api;
    requires transitive org.assertj.core;

    // PostgresServer creates databases through JDBC (the driver comes from the test classpath)
    requires java.sql;

    exports dev.notify.testkit;
    // JUnit instantiates the contracts' @Nested classes and calls their package-private methods reflectively
    opens dev.notify.testkit to org.junit.platform.commons;

    // ChannelContract checks that a plugin is discoverable exactly as a host discovers it
    uses dev.notify.api.spi.ChannelProvider;
}
