package dev.notify.channel.webhook.internal;

import dev.notify.api.DeliveryResult;
import dev.notify.api.Notification;
import dev.notify.api.spi.Delivery;
import dev.notify.testkit.MutableClock;
import dev.notify.testkit.TestChannelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The egress proxy ({@code channels.webhook.proxy}, {@code no-proxy}) with a real proxy on loopback:
 * the proxy is the operator's and is trusted, the target host is still checked at every attempt.
 */
class WebhookProxyTest {

    private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    private final TestSupport.MemoryEndpoints store = new TestSupport.MemoryEndpoints();
    private final MutableClock clock = new MutableClock(Instant.now());
    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
    }

    /** A channel whose resolver answers {@code hooks.example} with a public address and {@code inside.example} with loopback. */
    private WebhookChannel channel(Map<String, String> extra) throws Exception {
        Map<String, String> config = new HashMap<>(Map.of("request-timeout", "3s"));
        config.putAll(extra);
        TestChannelContext ctx = TestSupport.context(config, store, clock);
        closing.add(ctx);
        WebhookSettings settings = WebhookSettings.from(ctx.config());
        AddressPolicy policy = new AddressPolicy(false, settings.allowedCidrs(), host -> new InetAddress[] {
                InetAddress.getByName(host.equals("hooks.example") ? "93.184.215.14" : "127.0.0.1")});
        WebhookChannel c = new WebhookChannel(ctx, settings, "/api/v1/webhooks", policy, new WebhookHttp(policy, settings));
        closing.add(c);
        return c;
    }

    private BadReceiver proxy() throws Exception {
        BadReceiver p = new BadReceiver(BadReceiver.Mode.HEALTHY);
        closing.add(p);
        return p;
    }

    private static Delivery delivery(String endpointId) {
        return new Delivery("msg_1", Notification.builder().recipient("u1").topic("t").event("task.progress").build(),
                "webhook", endpointId, 1, List.of());
    }

    @Test
    @DisplayName("through the proxy: the request names the target, the proxy (on loopback) is not checked, the target is")
    void postsThroughTheProxy() throws Exception {
        BadReceiver proxy = proxy();
        WebhookChannel c = channel(Map.of("proxy", "http://127.0.0.1:" + proxy.url().split(":")[2].split("/")[0]));
        store.create(TestSupport.endpoint("wh_1", "http://hooks.example/hook?x=1", SECRET, clock.instant()));
        store.create(TestSupport.endpoint("wh_inside", "http://inside.example/hook", SECRET, clock.instant()));

        DeliveryResult sent = c.deliver(delivery("wh_1"));
        DeliveryResult refused = c.deliver(delivery("wh_inside"));

        assertThat(sent.isSent()).as(sent.toString()).isTrue();
        assertThat(proxy.heads()).singleElement().satisfies(head -> {
            assertThat(head).startsWith("POST http://hooks.example/hook?x=1 HTTP/1.1\r\n");
            assertThat(head).containsIgnoringCase("\r\nHost: hooks.example\r\n").contains("webhook-signature: v1,");
        });
        assertThat(refused.outcome()).as("a private target stays refused behind a proxy").isEqualTo(DeliveryResult.Outcome.FAILED);
        assertThat(refused.reason()).contains("address refused").contains("127.0.0.1");
        assertThat(proxy.heads()).hasSize(1);
    }

    @Test
    @DisplayName("a host in no-proxy (or a subdomain of one) is reached directly, at its checked address")
    void noProxyHostsGoDirect() throws Exception {
        BadReceiver proxy = proxy();
        BadReceiver direct = proxy();
        WebhookChannel c = channel(Map.of("proxy", "http://127.0.0.1:" + proxy.url().split(":")[2].split("/")[0],
                "no-proxy", ".example", "allowed-cidrs", "127.0.0.0/8"));
        store.create(TestSupport.endpoint("wh_1", "http://inside.example:" + direct.url().split(":")[2], SECRET, clock.instant()));

        assertThat(c.deliver(delivery("wh_1")).isSent()).isTrue();
        assertThat(proxy.heads()).isEmpty();
        assertThat(direct.heads()).singleElement().satisfies(head -> assertThat(head).startsWith("POST /hook HTTP/1.1\r\n"));
    }

    @Test
    @DisplayName("proxy must read http://host:port; no-proxy entries match a name and its subdomains")
    void proxySettings() {
        assertThatThrownBy(() -> WebhookSettings.from(dev.notify.api.spi.Config.of(Map.of("proxy", "socks5://p:1080"))))
                .hasMessageContaining("channels.webhook.proxy");
        assertThatThrownBy(() -> WebhookSettings.from(dev.notify.api.spi.Config.of(Map.of("proxy", "http://u:p@proxy:3128"))))
                .hasMessageContaining("channels.webhook.proxy");
        WebhookSettings.ProxySettings p = WebhookSettings.from(dev.notify.api.spi.Config.of(
                Map.of("proxy", "http://proxy.internal:3128", "no-proxy", "internal.example, .corp"))).proxy().orElseThrow();
        assertThat(p.host()).isEqualTo("proxy.internal");
        assertThat(p.port()).isEqualTo(3128);
        assertThat(WebhookSettings.ProxySettings.bypasses(p.noProxy(), "hooks.internal.example")).isTrue();
        assertThat(WebhookSettings.ProxySettings.bypasses(p.noProxy(), "a.corp")).isTrue();
        assertThat(WebhookSettings.ProxySettings.bypasses(p.noProxy(), "evilcorp")).isFalse();
        assertThat(WebhookSettings.ProxySettings.bypasses(p.noProxy(), "hooks.example")).isFalse();
    }
}
