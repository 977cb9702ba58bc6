/**
 * An example Notify channel plugin: appends every delivery as one JSON line to a file.
 * It needs nothing but {@code notify-api}; the provider is listed here for module-path hosts
 * and in {@code META-INF/services} for classpath hosts (and the server's plugins directory).
 */
module com.example.notify.file {
    requires dev.notify.api;

    exports com.example.notify.file;

    provides dev.notify.api.spi.ChannelProvider with com.example.notify.file.FileChannelProvider;
}
