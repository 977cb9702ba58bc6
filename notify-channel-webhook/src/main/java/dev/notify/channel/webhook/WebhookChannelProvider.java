package dev.notify.channel.webhook;

import dev.notify.api.spi.Channel;
import dev.notify.api.spi.ChannelContext;
import dev.notify.api.spi.ChannelProvider;
import dev.notify.channel.webhook.internal.WebhookChannel;
import dev.notify.channel.webhook.internal.WebhookSettings;

/**
 * Provides the {@code webhook} push channel: every notification whose topic and event match a
 * registered endpoint's filters is POSTed to it, signed twice (see {@link WebhookSignatures}).
 * When the host serves HTTP it also registers the endpoint registry API at {@value #API_PATH}
 * (publishers only). The README of this module lists the configuration keys
 * ({@code channels.webhook.*}), the wire format and the SSRF rules.
 */
public final class WebhookChannelProvider implements ChannelProvider {

    /** The channel name. */
    public static final String NAME = "webhook";
    /** The path of the endpoint registry API. */
    public static final String API_PATH = "/api/v1/webhooks";

    /** Needed by {@link java.util.ServiceLoader}. */
    public WebhookChannelProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Channel create(ChannelContext context) {
        return new WebhookChannel(context, WebhookSettings.from(context.config()), API_PATH);
    }
}
