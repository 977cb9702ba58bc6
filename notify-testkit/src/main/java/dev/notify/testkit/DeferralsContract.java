package dev.notify.testkit;

import dev.notify.api.Api;
import dev.notify.api.DeliveryRecord;
import dev.notify.api.Notification;
import dev.notify.api.Priority;
import dev.notify.api.spi.NewDelivery;
import dev.notify.api.spi.PublishResult;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The store contract for {@code bringForward}: the deliveries a channel deferred for a saturated
 * target become due at once when it answers again, and nothing else moves.
 *
 * <p>Part of {@link NotificationStoreContract}, which runs it against a fresh store for every
 * test: a store implementation extends that, not this.
 */
@Api(status = Api.Status.EXPERIMENTAL, since = "0.4")
public abstract class DeferralsContract extends StoreContractSupport {


    @Test
    @DisplayName("makes the deliveries released to a later time due now, of that channel and target only")
    void makesDeferredDeliveriesDueNow() {
        Notification n = notification().recipient("u1").build();
        PublishResult r = store().save(request(n, webhook("ep1", T0), webhook("ep2", T0), new NewDelivery("other", "ep1", T0)));
        List<DeliveryRecord> claimed = store().claimDue(t(1), 10, lease("node-a", t(60)));
        assertThat(claimed).hasSize(3);
        for (DeliveryRecord d : claimed) {
            store().release(d.id(), t(600));
        }

        assertThat(store().bringForward("webhook", "ep1", t(2))).isEqualTo(1);

        assertThat(ids(store().claimDue(t(2), 10, lease("node-a", t(60))))).containsExactly(r.deliveries().get(0).id());
        assertThat(store().bringForward("webhook", "ep1", t(3))).as("claimed now: leased ones stay").isZero();
    }

    @Test
    @DisplayName("leaves scheduled deliveries, retries after an attempt and held leases at their times")
    void leavesTheOthersAlone() {
        DeliveryRecord scheduled = saveOneDelivery(Priority.NORMAL, t(600));
        DeliveryRecord retrying = saveOneDelivery(Priority.NORMAL, T0);
        DeliveryRecord releasedThenTried = saveOneDelivery(Priority.NORMAL, T0);
        DeliveryRecord held = saveOneDelivery(Priority.NORMAL, T0);
        store().claimDue(t(1), 10, lease("node-a", t(60)));
        markRetrying(retrying.id(), t(1), t(600));
        store().release(releasedThenTried.id(), t(2));
        store().claimDue(t(2), 10, lease("node-a", t(60)));
        markRetrying(releasedThenTried.id(), t(2), t(600));

        assertThat(store().bringForward("webhook", "ep1", t(3))).isZero();

        assertThat(store().claimDue(t(59), 10, lease("node-b", t(120)))).isEmpty();
        assertThat(ids(store().claimDue(t(600), 10, lease("node-b", t(900)))))
                .containsExactlyInAnyOrder(scheduled.id(), retrying.id(), releasedThenTried.id(), held.id());
    }

    @Test
    @DisplayName("brings forward at most the limit, those deferred to the soonest times first, and the rest later")
    void bringsForwardTheSoonestUpToTheLimit() {
        List<Long> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(saveOneDelivery(Priority.NORMAL, T0).id());
        }
        store().save(request(notification().recipient("u1").build(), webhook("ep2", T0)));
        List<DeliveryRecord> claimed = store().claimDue(t(1), 10, lease("node-a", t(60)));
        assertThat(claimed).hasSize(6);
        // released to 500 + i * 10 s, in an order unlike the ids', so "soonest" is not "first stored"
        int[] order = {3, 0, 4, 1, 2};
        for (int k = 0; k < order.length; k++) {
            store().release(ids.get(order[k]), t(500 + k * 10));
        }
        for (DeliveryRecord d : claimed) {
            if (!ids.contains(d.id())) {
                store().release(d.id(), t(400));
            }
        }

        assertThat(store().bringForward("webhook", "ep1", t(2), 2)).isEqualTo(2);
        assertThat(ids(store().claimDue(t(2), 10, lease("node-a", t(60))))).containsExactlyInAnyOrder(ids.get(3), ids.get(0));

        assertThat(store().bringForward("webhook", "ep1", t(3), 10)).as("the rest, fewer than the limit").isEqualTo(3);
        assertThat(ids(store().claimDue(t(3), 10, lease("node-a", t(60))))).containsExactlyInAnyOrder(ids.get(4), ids.get(1), ids.get(2));
        assertThat(store().bringForward("webhook", "ep1", t(4), 10)).as("nothing deferred is left; the other target stays").isZero();
    }
}
