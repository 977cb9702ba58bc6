package dev.notify.api;

/**
 * Version information of the SPI. A host refuses a plugin built for a newer SPI than its own
 * (see {@link dev.notify.api.spi.ChannelProvider#apiVersion()}).
 */
@Api(status = Api.Status.STABLE, since = "0.1")
public final class NotifyApi {

    /** The SPI version of this {@code notify-api} jar. Incremented on incompatible SPI changes. */
    public static final int VERSION = 1;

    private NotifyApi() {
    }
}
