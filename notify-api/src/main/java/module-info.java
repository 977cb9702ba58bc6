/**
 * Notify's domain types ({@link dev.notify.api.Notification} and friends) and the plugin SPI
 * ({@link dev.notify.api.spi.ChannelProvider}, {@link dev.notify.api.spi.NotificationStore}).
 * Depends on nothing but {@code java.base}, so a third-party channel compiles against this alone.
 */
module dev.notify.api {
    exports dev.notify.api;
    exports dev.notify.api.spi;

    uses dev.notify.api.spi.ChannelProvider;
    uses dev.notify.api.spi.ClusterSignalProvider;
}
