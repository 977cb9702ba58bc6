package dev.notify.api.spi;

import dev.notify.api.Api;
import dev.notify.api.NotifyApi;

import java.util.Set;

/**
 * Creates a {@link Channel}. Found with {@link java.util.ServiceLoader}: list the
 * implementation in {@code module-info.java} ({@code provides dev.notify.api.spi.ChannelProvider
 * with ...}) and in {@code META-INF/services/dev.notify.api.spi.ChannelProvider}, so module-path
 * and classpath users see the same plugin. Needs a public no-argument constructor.
 *
 * <pre>{@code
 * public final class FileChannelProvider implements ChannelProvider {
 *     public String name() { return "file"; }
 *     public Channel create(ChannelContext context) {
 *         return new FileChannel(Path.of(context.config().get("path", "notifications.log")));
 *     }
 * }
 * }</pre>
 */
@Api(status = Api.Status.STABLE, since = "0.1")
public interface ChannelProvider {

    /**
     * The channel name: lower-case letters, digits and {@code -}, starting with a letter, unique
     * among loaded plugins. It names the channel in publish requests ({@code "channels":["file"]})
     * and its configuration node ({@code channels.file.*}).
     */
    String name();

    /** The plugin's own version, logged when it loads; by default the jar's Implementation-Version. */
    default String version() {
        String v = getClass().getPackage().getImplementationVersion();
        return v != null ? v : "unversioned";
    }

    /**
     * The {@link NotifyApi#VERSION} the plugin was compiled against. A host refuses plugins built
     * for a newer SPI than its own.
     */
    default int apiVersion() {
        return NotifyApi.VERSION;
    }

    /**
     * Configuration keys (relative to {@code channels.<name>.}) whose values are secrets: the
     * host masks them wherever it prints configuration.
     */
    default Set<String> sensitiveConfigKeys() {
        return Set.of();
    }

    /**
     * Creates the channel. Called once per host; the channel lives until {@link Channel#close()}.
     *
     * @throws IllegalArgumentException when the configuration is invalid, with a message naming the key
     */
    Channel create(ChannelContext context);
}
