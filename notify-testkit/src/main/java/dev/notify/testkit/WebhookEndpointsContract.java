package dev.notify.testkit;

import dev.notify.api.Api;
import dev.notify.api.WebhookEndpoint;
import dev.notify.api.spi.WebhookEndpointStore;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The store contract for webhook endpoints: create, find, list in creation order, update and
 * delete, every field kept.
 *
 * <p>Part of {@link NotificationStoreContract}, which runs it against a fresh store for every
 * test: a store implementation extends that, not this.
 */
@Api(status = Api.Status.EXPERIMENTAL, since = "0.2")
public abstract class WebhookEndpointsContract extends StoreContractSupport {

    private WebhookEndpoint endpoint(String id, Instant createdAt) {
        return new WebhookEndpoint(id, "https://hooks.example.com/" + id, "whsec_" + id, Optional.of("whsec_old"),
                Optional.of(createdAt.plusSeconds(3600)), Set.of("task:*", "billing"), Set.of("task.*"), "für " + id,
                true, 2, Optional.of(createdAt.plusSeconds(5)), createdAt, createdAt.plusSeconds(10));
    }

    private WebhookEndpointStore endpoints() {
        return store().webhookEndpoints();
    }

    @Test
    @DisplayName("stores an endpoint and finds it with every field")
    void createsAndFinds() {
        WebhookEndpoint ep = endpoint("ep1", T0);

        assertThat(endpoints().create(ep)).isEqualTo(ep);

        assertThat(endpoints().find("ep1")).contains(ep);
        WebhookEndpoint bare = new WebhookEndpoint("ep2", "http://localhost:9/x", "whsec_2", Optional.empty(), Optional.empty(),
                Set.of(), Set.of(), "", false, 0, Optional.empty(), T0, T0);
        endpoints().create(bare);
        assertThat(endpoints().find("ep2")).contains(bare);
    }

    @Test
    @DisplayName("refuses to create an endpoint whose id exists")
    void refusesDuplicateIds() {
        endpoints().create(endpoint("ep1", T0));

        assertThatThrownBy(() -> endpoints().create(endpoint("ep1", t(1)))).isInstanceOf(IllegalArgumentException.class);
        assertThat(endpoints().find("ep1")).get().extracting(WebhookEndpoint::createdAt).isEqualTo(T0);
    }

    @Test
    @DisplayName("updates an existing endpoint, and nothing for an unknown id")
    void updates() {
        endpoints().create(endpoint("ep1", T0));
        WebhookEndpoint changed = new WebhookEndpoint("ep1", "https://new.example.com/", "whsec_new", Optional.empty(),
                Optional.empty(), Set.of(), Set.of("task.completed"), "changed", false, 5, Optional.of(t(50)), T0, t(60));

        assertThat(endpoints().update(changed)).contains(changed);
        assertThat(endpoints().find("ep1")).contains(changed);
        assertThat(endpoints().update(endpoint("ep9", T0))).isEmpty();
        assertThat(endpoints().find("ep9")).isEmpty();
    }

    @Test
    @DisplayName("deletes an endpoint and says whether it existed")
    void deletes() {
        endpoints().create(endpoint("ep1", T0));

        assertThat(endpoints().delete("ep1")).isTrue();
        assertThat(endpoints().delete("ep1")).isFalse();
        assertThat(endpoints().find("ep1")).isEmpty();
        assertThat(endpoints().delete("never")).isFalse();
    }

    @Test
    @DisplayName("lists every endpoint, oldest first")
    void listsOldestFirst() {
        endpoints().create(endpoint("ep-b", t(2)));
        endpoints().create(endpoint("ep-a", t(1)));
        endpoints().create(endpoint("ep-c", t(3)));

        assertThat(endpoints().list()).extracting(WebhookEndpoint::id).containsExactly("ep-a", "ep-b", "ep-c");
        endpoints().delete("ep-b");
        assertThat(endpoints().list()).extracting(WebhookEndpoint::id).containsExactly("ep-a", "ep-c");
    }
}
