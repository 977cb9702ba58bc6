package dev.notify.channel.ws.internal;

import dev.notify.api.spi.WebRegistry;
import jakarta.websocket.server.ServerEndpointConfig;

/**
 * Registers the endpoint. Kept apart from {@link WsChannel} so that a host without the Jakarta
 * WebSocket API (a library user without HTTP) never loads a WebSocket class.
 */
final class WsWeb {

    private WsWeb() {
    }

    static void register(WebRegistry web, String path, WsChannel channel) {
        ServerEndpointConfig config = ServerEndpointConfig.Builder.create(WsEndpoint.class, path)
                .configurator(new Configurator(channel))
                .build();
        web.register(path, ServerEndpointConfig.class, config);
    }

    /** One endpoint instance per connection, bound to the channel (the container cannot construct it itself). */
    private static final class Configurator extends ServerEndpointConfig.Configurator {
        private final WsChannel channel;

        Configurator(WsChannel channel) {
            this.channel = channel;
        }

        @Override
        public <T> T getEndpointInstance(Class<T> endpointClass) throws InstantiationException {
            if (!endpointClass.equals(WsEndpoint.class)) {
                throw new InstantiationException("this configurator creates " + WsEndpoint.class.getName() + " only");
            }
            return endpointClass.cast(new WsEndpoint(channel));
        }
    }
}
