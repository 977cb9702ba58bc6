/**
 * The Notify server: embedded Jetty 12 hosting the HTTP API of DESIGN.md, user and publisher
 * authentication, the command line, and the channel plugins found on the classpath and in the
 * plugins directory. Start it with {@code java -jar notify-server.jar} or, embedded, with
 * {@link dev.notify.server.NotifyServer#start(dev.notify.server.ServerSettings)}.
 */
module dev.notify.server {
    requires transitive dev.notify.core;
    requires dev.notify.store.jdbc;
    requires dev.notify.web;
    // --redis-ingest-stream: the Redis Streams consumer the server feeds into its publish path (the signal engine is found through ServiceLoader)
    requires dev.notify.cluster.redis;
    requires java.net.http;
    requires org.eclipse.jetty.server;
    requires org.eclipse.jetty.ee10.servlet;
    requires org.eclipse.jetty.ee10.websocket.jakarta.server;
    requires jakarta.servlet;
    requires jakarta.websocket;
    requires com.nimbusds.jose.jwt;
    requires info.picocli;
    requires micrometer.core;
    requires micrometer.registry.prometheus;
    requires org.slf4j;
    // the process's open-file limit (com.sun.management), from which the default connection cap is derived
    requires jdk.management;
    // sun.misc.Signal: SIGTERM shuts down gracefully and exits 0 instead of the JVM's 143
    requires jdk.unsupported;

    exports dev.notify.server;
    // --log-format json: SLF4J instantiates this backend by name (its slf4j.provider property)
    exports dev.notify.server.internal.logging to org.slf4j;

    // picocli fills the command's fields reflectively
    opens dev.notify.server.internal.cli to info.picocli;

    uses dev.notify.api.spi.ChannelProvider;
}
