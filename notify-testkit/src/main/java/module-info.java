/** Contract tests for Notify channels and stores, for implementers (third parties included) to extend. */
module dev.notify.testkit {
    requires transitive dev.notify.api;
    requires transitive org.junit.jupiter.api;
    requires transitive org.assertj.core;

    exports dev.notify.testkit;
}
