package dev.notify.core;

import dev.notify.api.DeliveryAttempt;
import dev.notify.api.DeliveryRecord;
import dev.notify.api.DeliveryResult;
import dev.notify.api.DeliveryStatus;
import dev.notify.api.EventLogEntry;
import dev.notify.api.Notification;
import dev.notify.api.Priority;
import dev.notify.api.spi.Channel;
import dev.notify.api.spi.ChannelKind;
import dev.notify.api.spi.Delivery;
import dev.notify.api.spi.HubSignal;
import dev.notify.api.spi.Subscriber;
import dev.notify.api.spi.SubscriptionRequest;
import dev.notify.testkit.MutableClock;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NotificationServiceTest {

    private final List<NotificationService> services = new ArrayList<>();

    private NotificationService start(ServiceConfig config, Channel... channels) {
        NotificationService.Builder b = NotificationService.builder().config(config);
        for (Channel c : channels) {
            b.channel(c);
        }
        NotificationService s = b.build();
        services.add(s);
        return s;
    }

    @AfterEach
    void closeServices() {
        services.forEach(s -> s.close(Duration.ofSeconds(5)));
    }

    private static Notification.Builder note(String user) {
        return Notification.builder().recipient(user).title("t");
    }

    /** Waits on a latch; fails the test rather than hanging. */
    private static void await(CountDownLatch latch) throws InterruptedException {
        assertThat(latch.await(20, TimeUnit.SECONDS)).as("timed out waiting").isTrue();
    }

    @Nested
    @DisplayName("priorities")
    class Priorities {

        @Test
        void deliversCriticalBeforeHighBeforeNormalBeforeLowAndFifoInsideALevel() throws Exception {
            Semaphore gate = new Semaphore(0);
            List<String> order = new CopyOnWriteArrayList<>();
            CountDownLatch firstStarted = new CountDownLatch(1);
            CountDownLatch all = new CountDownLatch(9);
            RecordingPushChannel ch = new RecordingPushChannel("push");
            ch.behaviour = d -> {
                if (d.notification().title().equals("blocker")) {
                    firstStarted.countDown();
                    gate.acquireUninterruptibly();
                } else {
                    order.add(d.notification().title());
                }
                all.countDown();
                return DeliveryResult.sent();
            };
            NotificationService s = start(ServiceConfig.builder().workers(1).build(), ch);
            s.notify(note("u").title("blocker").build());
            await(firstStarted);
            s.notify(note("u").title("low-1").priority(Priority.LOW).build());
            s.notify(note("u").title("normal-1").build());
            s.notify(note("u").title("critical-1").priority(Priority.CRITICAL).build());
            s.notify(note("u").title("high-1").priority(Priority.HIGH).build());
            s.notify(note("u").title("low-2").priority(Priority.LOW).build());
            s.notify(note("u").title("critical-2").priority(Priority.CRITICAL).build());
            s.notify(note("u").title("normal-2").build());
            s.notify(note("u").title("high-2").priority(Priority.HIGH).build());
            gate.release();
            await(all);

            assertThat(order).containsExactly("critical-1", "critical-2", "high-1", "high-2", "normal-1", "normal-2", "low-1", "low-2");
        }
    }

    @Nested
    @DisplayName("throughput and exactly-once")
    class ExactlyOnce {

        @Test
        void eightProducersOfTwentyFiveThousandEachAreDeliveredExactlyOnce() throws Exception {
            int producers = 8;
            int each = 25_000;
            Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
            CountDownLatch done = new CountDownLatch(producers * each);
            Channel ch = new Channel() {
                @Override
                public String name() {
                    return "memory";
                }

                @Override
                public ChannelKind kind() {
                    return ChannelKind.PUSH;
                }

                @Override
                public DeliveryResult deliver(Delivery d) {
                    seen.computeIfAbsent(d.notification().id(), k -> new AtomicInteger()).incrementAndGet();
                    done.countDown();
                    return DeliveryResult.sent();
                }
            };
            NotificationService s = start(ServiceConfig.builder().queueCapacity(producers * each).build(), ch);
            ExecutorService pool = Executors.newFixedThreadPool(producers);
            List<Future<List<String>>> ids = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                int id = p;
                ids.add(pool.submit(() -> {
                    List<String> mine = new ArrayList<>(each);
                    for (int i = 0; i < each; i++) {
                        mine.add(s.notify(note("user-" + id).data(Map.of("i", i)).build()));
                    }
                    return mine;
                }));
            }
            Set<String> published = ConcurrentHashMap.newKeySet();
            for (Future<List<String>> f : ids) {
                published.addAll(f.get(2, TimeUnit.MINUTES));
            }
            pool.shutdown();
            assertThat(done.await(2, TimeUnit.MINUTES)).isTrue();

            assertThat(published).hasSize(producers * each);
            assertThat(seen.keySet()).isEqualTo(published);
            assertThat(seen.values()).allMatch(c -> c.get() == 1);
        }
    }

    @Nested
    @DisplayName("retries")
    class Retries {

        @Test
        void aChannelLimitedToOneDeliveryAtATimeStillGetsEveryDeliveryWhileOtherWorkersPark() throws Exception {
            int n = 20_000;
            CountDownLatch done = new CountDownLatch(n);
            java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicInteger maxInFlight = new java.util.concurrent.atomic.AtomicInteger();
            RecordingPushChannel ch = new RecordingPushChannel("narrow") {
                @Override
                public DeliveryResult deliver(Delivery delivery) {
                    maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                    inFlight.decrementAndGet();
                    done.countDown();
                    return DeliveryResult.sent();
                }
            };
            NotificationService s = start(ServiceConfig.builder().workers(4).queueCapacity(n)
                    .config(dev.notify.api.spi.Config.of(Map.of("channels.narrow.max-concurrency", "1"))).build(), ch);
            for (int i = 0; i < n; i++) {
                s.notify(note("u" + (i % 10)).build());
            }
            await(done);
            assertThat(maxInFlight.get()).isEqualTo(1);
        }

        @Test
        void retriesAfterOneTwoFourAndEightSecondsThenFailsForGood() throws Exception {
            MutableClock clock = new MutableClock(Instant.parse("2024-01-15T10:30:00Z"));
            RecordingPushChannel ch = new RecordingPushChannel("flaky");
            ch.behaviour = d -> DeliveryResult.retryLater("receiver down");
            List<DeliveryRecord> retrying = new CopyOnWriteArrayList<>();
            CountDownLatch failed = new CountDownLatch(1);
            Semaphore attempted = new Semaphore(0);
            NotificationService s = start(ServiceConfig.builder().clock(clock).pollInterval(Duration.ofMillis(5))
                    .retryPolicy(RetryPolicy.DEFAULT.withJitter(0)).build(), ch);
            s.addListener(new DeliveryListener() {
                @Override
                public void onRetrying(DeliveryRecord d, String reason) {
                    retrying.add(d);
                    attempted.release();
                }

                @Override
                public void onFailed(DeliveryRecord d, String reason) {
                    failed.countDown();
                    attempted.release();
                }
            });
            Instant t0 = clock.instant();
            String id = s.notify(note("u").build());
            for (int delay : new int[]{1, 2, 4, 8}) {
                assertThat(attempted.tryAcquire(20, TimeUnit.SECONDS)).isTrue();
                clock.advance(Duration.ofSeconds(delay).minusMillis(1));
                // one millisecond early: nothing may happen yet
                assertThat(attempted.tryAcquire(100, TimeUnit.MILLISECONDS)).isFalse();
                clock.advance(Duration.ofMillis(1));
            }
            await(failed);

            List<Instant> nextTimes = retrying.stream().map(d -> d.nextAttemptAt().orElseThrow()).toList();
            assertThat(nextTimes).containsExactly(t0.plusSeconds(1), t0.plusSeconds(3), t0.plusSeconds(7), t0.plusSeconds(15));
            DeliveryRecord d = s.delivery(id, "flaky").orElseThrow();
            assertThat(d.status()).isEqualTo(DeliveryStatus.FAILED);
            assertThat(d.attempts()).isEqualTo(5);
            List<DeliveryAttempt> attempts = s.attempts(d.id());
            assertThat(attempts).extracting(DeliveryAttempt::startedAt)
                    .containsExactly(t0, t0.plusSeconds(1), t0.plusSeconds(3), t0.plusSeconds(7), t0.plusSeconds(15));
            assertThat(attempts).extracting(a -> a.error().orElse("")).allMatch(e -> e.contains("receiver down"));
            assertThat(s.deadLetters(java.util.Optional.empty(), 10).items()).extracting(DeliveryRecord::id).contains(d.id());
            assertThat(ch.deliveries).extracting(Delivery::attempt).containsExactly(1, 2, 3, 4, 5);
            assertThat(ch.deliveries).extracting(Delivery::key).containsOnly(Long.toString(d.id()));
        }

        @Test
        void aDeferredDeliveryComesBackAfterItsDelayWithoutUsingUpAnAttempt() throws Exception {
            MutableClock clock = new MutableClock(Instant.parse("2024-01-15T10:30:00Z"));
            RecordingPushChannel ch = new RecordingPushChannel("saturated");
            java.util.concurrent.atomic.AtomicInteger defers = new java.util.concurrent.atomic.AtomicInteger(7);
            Semaphore handedOut = new Semaphore(0);
            ch.behaviour = d -> {
                handedOut.release();
                return defers.getAndDecrement() > 0 ? DeliveryResult.deferred("target saturated", Duration.ofSeconds(2))
                        : DeliveryResult.sent();
            };
            CountDownLatch sent = new CountDownLatch(1);
            NotificationService s = start(ServiceConfig.builder().clock(clock).pollInterval(Duration.ofMillis(5))
                    .retryPolicy(RetryPolicy.DEFAULT.withJitter(0)).build(), ch);
            s.addListener(new DeliveryListener() {
                @Override
                public void onSent(DeliveryRecord d) {
                    sent.countDown();
                }

                @Override
                public void onRetrying(DeliveryRecord d, String reason) {
                    throw new AssertionError("a deferral is not a retry: " + reason);
                }
            });
            Instant t0 = clock.instant();
            String id = s.notify(note("u").build());
            for (int i = 0; i < 7; i++) { // more deferrals than the policy's 5 attempts
                assertThat(handedOut.tryAcquire(20, TimeUnit.SECONDS)).isTrue();
                Instant due = t0.plusSeconds(2L * (i + 1));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (!s.delivery(id, "saturated").orElseThrow().nextAttemptAt().equals(java.util.Optional.of(due))) {
                    assertThat(System.nanoTime()).as("deferred until " + due).isLessThan(deadline);
                    Thread.sleep(2);
                }
                clock.advance(Duration.ofMillis(1999));
                assertThat(handedOut.tryAcquire(100, TimeUnit.MILLISECONDS)).as("handed out again before its delay").isFalse();
                clock.advance(Duration.ofMillis(1));
            }
            await(sent);

            DeliveryRecord d = s.delivery(id, "saturated").orElseThrow();
            assertThat(d.status()).isEqualTo(DeliveryStatus.SENT);
            assertThat(d.attempts()).as("only the attempt that ran counts").isEqualTo(1);
            assertThat(s.attempts(d.id())).singleElement().extracting(DeliveryAttempt::outcome).isEqualTo(DeliveryResult.Outcome.SENT);
            assertThat(ch.deliveries).hasSize(8).extracting(Delivery::attempt).containsOnly(1);
        }

        @Test
        void aDeadLetterReplayedIsAttemptedAgainWithAFreshSetOfAttempts() throws Exception {
            RecordingPushChannel ch = new RecordingPushChannel("hook");
            ch.behaviour = d -> DeliveryResult.failed("410 gone");
            CountDownLatch failed = new CountDownLatch(1);
            CountDownLatch sent = new CountDownLatch(1);
            NotificationService s = start(ServiceConfig.builder().pollInterval(Duration.ofMillis(5)).build(), ch);
            s.addListener(new DeliveryListener() {
                @Override
                public void onFailed(DeliveryRecord d, String reason) {
                    failed.countDown();
                }

                @Override
                public void onSent(DeliveryRecord d) {
                    sent.countDown();
                }
            });
            String id = s.notify(note("u").build());
            await(failed);
            DeliveryRecord dead = s.delivery(id, "hook").orElseThrow();
            assertThat(dead.status()).isEqualTo(DeliveryStatus.FAILED);
            assertThat(dead.attempts()).as("a permanent failure is not retried").isEqualTo(1);

            ch.behaviour = d -> DeliveryResult.sent();
            assertThat(s.replay(dead.id())).isPresent();
            await(sent);
            assertThat(s.delivery(id, "hook").orElseThrow().status()).isEqualTo(DeliveryStatus.SENT);
            assertThat(s.replay(dead.id())).as("only dead letters can be replayed").isEmpty();
        }

        @Test
        void aChannelThatThrowsIsRetriedLikeOneThatAskedForIt() throws Exception {
            RecordingPushChannel ch = new RecordingPushChannel("boom");
            ch.behaviour = d -> {
                throw new IllegalStateException("kaput");
            };
            CountDownLatch retrying = new CountDownLatch(1);
            String[] why = new String[1];
            NotificationService s = start(ServiceConfig.defaults(), ch);
            s.addListener(new DeliveryListener() {
                @Override
                public void onRetrying(DeliveryRecord d, String reason) {
                    why[0] = reason;
                    retrying.countDown();
                }
            });
            s.notify(note("u").build());
            await(retrying);
            assertThat(why[0]).contains("kaput");
        }

        @Test
        void aHungAttemptTimesOutAndAnotherChannelIsNotDelayed() throws Exception {
            CountDownLatch release = new CountDownLatch(1);
            RecordingPushChannel hung = new RecordingPushChannel("hung");
            hung.behaviour = d -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return DeliveryResult.sent();
            };
            RecordingPushChannel healthy = new RecordingPushChannel("healthy");
            CountDownLatch healthyDone = new CountDownLatch(20);
            healthy.behaviour = d -> {
                healthyDone.countDown();
                return DeliveryResult.sent();
            };
            CountDownLatch timedOut = new CountDownLatch(1);
            String[] why = new String[1];
            NotificationService s = start(ServiceConfig.builder().workers(2).deliveryTimeout(Duration.ofMillis(200)).build(), hung, healthy);
            s.addListener(new DeliveryListener() {
                @Override
                public void onRetrying(DeliveryRecord d, String reason) {
                    if (d.channel().equals("hung")) {
                        why[0] = reason;
                        timedOut.countDown();
                    }
                }
            });
            s.notify(note("u").channel("hung").build());
            for (int i = 0; i < 20; i++) {
                s.notify(note("u").channel("healthy").build());
            }
            await(healthyDone);
            await(timedOut);
            assertThat(why[0]).contains("timed out");
            release.countDown();
        }
    }

    @Nested
    @DisplayName("a channel that throws an Error")
    class ChannelErrors {

        @Test
        void aPushChannelThatOverflowsTheStackFailsOnlyItsAttemptsWhileOtherDeliveriesFlow() throws Exception {
            pushChannelSurvives(() -> recurse(0), "channel plugin threw java.lang.StackOverflowError");
        }

        @Test
        void aPushChannelThatThrowsOutOfMemoryErrorFailsOnlyItsAttemptsWhileOtherDeliveriesFlow() throws Exception {
            pushChannelSurvives(() -> {
                throw new OutOfMemoryError("test");
            }, "channel plugin threw java.lang.OutOfMemoryError: test");
        }

        private void pushChannelSurvives(Runnable fault, String reason) throws Exception {
            RecordingPushChannel plugin = new RecordingPushChannel("plugin");
            plugin.behaviour = d -> {
                if (d.notification().title().equals("bad")) {
                    fault.run();
                }
                return DeliveryResult.sent();
            };
            CountDownLatch sent = new CountDownLatch(4);
            CountDownLatch dead = new CountDownLatch(1);
            List<String> reasons = new CopyOnWriteArrayList<>();
            // one worker: had the error killed it, nothing after "bad" would ever be delivered
            NotificationService s = start(ServiceConfig.builder().workers(1).pollInterval(Duration.ofMillis(20))
                    .retryPolicy(new RetryPolicy(3, Duration.ofMillis(10), 1.0, Duration.ofMillis(10), 0)).build(), plugin);
            s.addListener(new DeliveryListener() {
                @Override
                public void onSent(DeliveryRecord d) {
                    sent.countDown();
                }

                @Override
                public void onRetrying(DeliveryRecord d, String why) {
                    reasons.add("retrying: " + why);
                }

                @Override
                public void onFailed(DeliveryRecord d, String why) {
                    reasons.add("failed: " + why);
                    dead.countDown();
                }
            });
            String bad = s.notify(note("u").title("bad").build());
            for (int i = 0; i < 3; i++) {
                s.notify(note("u").title("good").build());
            }
            await(dead);
            s.notify(note("u").title("after").build());
            await(sent);

            assertThat(reasons).containsExactly("retrying: " + reason, "retrying: " + reason, "failed: " + reason);
            DeliveryRecord d = s.delivery(bad, "plugin").orElseThrow();
            assertThat(d.status()).isEqualTo(DeliveryStatus.FAILED);
            assertThat(s.attempts(d.id())).extracting(a -> a.number() + " " + a.error().orElse(""))
                    .containsExactly("1 " + reason, "2 " + reason, "3 " + reason);
        }

        @Test
        void aStreamChannelThatOverflowsTheStackFailsOnlyItsPushAndLiveStreamsGoOn() throws Exception {
            Channel boom = new Channel() {
                @Override
                public String name() {
                    return "boom";
                }

                @Override
                public ChannelKind kind() {
                    return ChannelKind.STREAM;
                }

                @Override
                public DeliveryResult deliver(Delivery d) {
                    recurse(0);
                    return DeliveryResult.sent();
                }
            };
            NotificationService[] holder = new NotificationService[1];
            NotificationService s = start(ServiceConfig.defaults(), boom, liveChannel(holder));
            holder[0] = s;
            List<String> failures = new CopyOnWriteArrayList<>();
            s.addListener(new DeliveryListener() {
                @Override
                public void onFailed(DeliveryRecord d, String reason) {
                    failures.add(d.channel() + ": " + reason);
                }
            });
            List<Long> seen = new CopyOnWriteArrayList<>();
            CountDownLatch both = new CountDownLatch(2);
            s.hub().subscribe(new SubscriptionRequest("live", "c1", "u1", Set.of("task:abc123")), recordingSequences(seen, both));
            s.broadcast("task:abc123", Notification.builder().event("task.progress"));
            s.broadcast("task:abc123", Notification.builder().event("task.completed"));
            await(both);

            assertThat(seen).hasSize(2).isSorted();
            assertThat(failures).hasSize(2).containsOnly("boom: channel boom threw java.lang.StackOverflowError");
        }
    }

    private static int recurse(int depth) {
        return recurse(depth + 1) + 1;
    }

    @Nested
    @DisplayName("scheduling, expiry and cancellation")
    class Scheduling {

        @Test
        void aScheduledNotificationIsDeliveredWhenItIsDueAndNotBefore() throws Exception {
            MutableClock clock = new MutableClock(Instant.parse("2024-01-15T10:30:00Z"));
            RecordingPushChannel ch = new RecordingPushChannel("push");
            CountDownLatch sent = new CountDownLatch(1);
            ch.behaviour = d -> {
                sent.countDown();
                return DeliveryResult.sent();
            };
            NotificationService s = start(ServiceConfig.builder().clock(clock).pollInterval(Duration.ofMillis(5)).build(), ch);
            String id = s.notify(note("u").scheduledAt(clock.instant().plusSeconds(60)).build());

            assertThat(sent.await(200, TimeUnit.MILLISECONDS)).isFalse();
            assertThat(s.delivery(id, "push").orElseThrow().status()).isEqualTo(DeliveryStatus.PENDING);
            clock.advance(Duration.ofSeconds(60));
            await(sent);
        }

        @Test
        void anExpiredNotificationIsCancelledInsteadOfDelivered() throws Exception {
            MutableClock clock = new MutableClock(Instant.parse("2024-01-15T10:30:00Z"));
            RecordingPushChannel ch = new RecordingPushChannel("push");
            NotificationService s = start(ServiceConfig.builder().clock(clock).pollInterval(Duration.ofMillis(5)).build(), ch);
            String id = s.notify(note("u").scheduledAt(clock.instant().plusSeconds(60))
                    .expiresAt(clock.instant().plusSeconds(90)).build());
            clock.advance(Duration.ofSeconds(120));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (s.delivery(id, "push").orElseThrow().status() != DeliveryStatus.CANCELLED && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(s.delivery(id, "push").orElseThrow().status()).isEqualTo(DeliveryStatus.CANCELLED);
            assertThat(ch.deliveries).isEmpty();
        }

        @Test
        void aNotificationAlreadyExpiredIsRefusedAtPublish() {
            NotificationService s = start(ServiceConfig.defaults(), new RecordingPushChannel("push"));
            assertThatThrownBy(() -> s.notify(note("u").expiresAt(Instant.now().minusSeconds(1)).build()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expired");
        }

        @Test
        void cancellingTurnsDeliveriesNotAttemptedYetIntoCancelled() {
            MutableClock clock = new MutableClock(Instant.parse("2024-01-15T10:30:00Z"));
            RecordingPushChannel ch = new RecordingPushChannel("push");
            NotificationService s = start(ServiceConfig.builder().clock(clock).build(), ch);
            String id = s.notify(note("u1").recipient("u2").scheduledAt(clock.instant().plusSeconds(60)).build());
            assertThat(s.cancel(id)).isEqualTo(2);
            assertThat(s.deliveries(id)).extracting(DeliveryRecord::status).containsOnly(DeliveryStatus.CANCELLED);
            assertThat(s.cancel("no-such-id")).isZero();
        }
    }

    @Nested
    @DisplayName("idempotency, templates and bad input")
    class Input {

        @Test
        void publishingTwiceWithOneIdempotencyKeyReturnsTheFirstIdAndStoresNothingNew() {
            RecordingPushChannel ch = new RecordingPushChannel("push");
            NotificationService s = start(ServiceConfig.defaults(), ch);
            PublishReceipt first = s.publish(note("u").idempotencyKey("order-42").build(), "publisher-a");
            PublishReceipt again = s.publish(note("u").idempotencyKey("order-42").title("other").build(), "publisher-a");
            PublishReceipt otherScope = s.publish(note("u").idempotencyKey("order-42").build(), "publisher-b");

            assertThat(first.duplicate()).isFalse();
            assertThat(again.duplicate()).isTrue();
            assertThat(again.id()).isEqualTo(first.id());
            assertThat(otherScope.id()).isNotEqualTo(first.id());
            assertThat(s.inbox().stats("u").total()).isEqualTo(2);
        }

        @Test
        void aTemplateRendersTitleAndBodyFromTheData() throws Exception {
            RecordingPushChannel ch = new RecordingPushChannel("push");
            CountDownLatch sent = new CountDownLatch(1);
            ch.behaviour = d -> {
                sent.countDown();
                return DeliveryResult.sent();
            };
            NotificationService s = start(ServiceConfig.defaults(), ch);
            s.registerTemplate("welcome", "Welcome, {{name}}!", "Hello {{name}}, your plan is {{plan.tier}}.");
            String id = s.notify(note("u").template("welcome").data(Map.of("name", "Ada", "plan", Map.of("tier", "pro"))).build());
            await(sent);
            Notification stored = s.find(id).orElseThrow();
            assertThat(stored.title()).isEqualTo("Welcome, Ada!");
            assertThat(stored.body()).isEqualTo("Hello Ada, your plan is pro.");
            assertThat(ch.deliveries.get(0).notification().body()).isEqualTo("Hello Ada, your plan is pro.");
        }

        @Test
        void aMalformedTemplateIsRefusedAtRegistration() {
            NotificationService s = start(ServiceConfig.defaults());
            assertThatThrownBy(() -> s.registerTemplate("broken", "Hello {{#name}} never closed"))
                    .isInstanceOf(TemplateException.class).hasMessageContaining("broken").hasMessageContaining("malformed");
            assertThatThrownBy(() -> s.registerTemplate("bad name!", "x")).isInstanceOf(TemplateException.class);
        }

        @Test
        void aMissingVariableFailsThePublishAndStoresNothing() {
            RecordingPushChannel ch = new RecordingPushChannel("push");
            NotificationService s = start(ServiceConfig.defaults(), ch);
            s.registerTemplate("welcome", "Hello {{name}}");
            assertThatThrownBy(() -> s.notify(note("u").template("welcome").data(Map.of("nom", "Ada")).build()))
                    .isInstanceOf(TemplateException.class).hasMessageContaining("welcome").hasMessageContaining("name");
            assertThatThrownBy(() -> s.notify(note("u").template("nope").build()))
                    .isInstanceOf(TemplateException.class).hasMessageContaining("unknown template 'nope'");
            assertThat(s.inbox().stats("u").total()).isZero();
        }

        @Test
        void anUnknownChannelIsAClearErrorNamingTheMissingJar() {
            NotificationService s = start(ServiceConfig.defaults(), new RecordingPushChannel("push"));
            assertThatThrownBy(() -> s.notify(note("u").channel("sms").build()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("unknown channel 'sms'").hasMessageContaining("notify-channel-sms").hasMessageContaining("[push]");
        }

        @Test
        void nullsAreRefusedWithClearErrors() {
            NotificationService s = start(ServiceConfig.defaults());
            assertThatThrownBy(() -> s.notify(null)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("null");
            assertThatThrownBy(() -> s.batchNotify(null)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> s.notifyAll(null, note("u"))).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> s.publish(note("u").build(), " ")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> s.cancel(null)).isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        void aFullQueueRefusesThePublishAndStoresNothing() throws Exception {
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch busy = new CountDownLatch(1);
            RecordingPushChannel ch = new RecordingPushChannel("push");
            ch.behaviour = d -> {
                busy.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return DeliveryResult.sent();
            };
            NotificationService s = start(ServiceConfig.builder().workers(1).queueCapacity(2).build(), ch);
            s.notify(note("u").build());
            await(busy);
            s.notify(note("u").build());
            s.notify(note("u").build());
            assertThatThrownBy(() -> s.notify(note("u").title("refused").build())).isInstanceOf(QueueFullException.class)
                    .hasMessageContaining("full");
            assertThat(s.inbox().stats("u").total()).isEqualTo(3);
            release.countDown();
        }
    }

    @Nested
    @DisplayName("batches and broadcasts")
    class Batches {

        @Test
        void aBatchIsStoredAndDeliveredWhole() throws Exception {
            RecordingPushChannel ch = new RecordingPushChannel("push");
            CountDownLatch sent = new CountDownLatch(3);
            ch.behaviour = d -> {
                sent.countDown();
                return DeliveryResult.sent();
            };
            NotificationService s = start(ServiceConfig.defaults(), ch);
            List<String> ids = s.batchNotify(List.of(note("a").build(), note("b").build(), note("c").build()));
            await(sent);
            assertThat(ids).hasSize(3).doesNotHaveDuplicates();
            assertThat(ch.deliveries).extracting(Delivery::target).containsExactlyInAnyOrder("a", "b", "c");
        }

        @Test
        void aBatchWithOneInvalidNotificationStoresNothing() {
            NotificationService s = start(ServiceConfig.defaults(), new RecordingPushChannel("push"));
            assertThatThrownBy(() -> s.batchNotify(List.of(note("a").build(), note("b").channel("nope").build())))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(s.inbox().stats("a").total()).isZero();
        }

        @Test
        void notifyAllSplitsLargeAudiencesAndReachesEveryone() {
            NotificationService s = start(ServiceConfig.builder().queueCapacity(50_000).build());
            List<String> users = new ArrayList<>();
            for (int i = 0; i < 25_000; i++) {
                users.add("user-" + i);
            }
            List<String> ids = s.notifyAll(users, Notification.builder().recipient("placeholder").title("Maintenance tonight"));
            assertThat(ids).hasSize(3);
            assertThat(s.inbox().stats("user-0").total()).isEqualTo(1);
            assertThat(s.inbox().stats("user-24999").total()).isEqualTo(1);
            assertThat(s.inbox().stats("placeholder").total()).isZero();
        }

        @Test
        void aTopicBroadcastReachesEveryLiveSubscriberOfTheTopicThroughAStreamChannel() throws Exception {
            NotificationService[] holder = new NotificationService[1];
            NotificationService s = start(ServiceConfig.defaults(), liveChannel(holder));
            holder[0] = s;
            int subscribers = 1000;
            CountDownLatch received = new CountDownLatch(subscribers);
            List<Long> sequences = new CopyOnWriteArrayList<>();
            for (int i = 0; i < subscribers; i++) {
                s.hub().subscribe(new SubscriptionRequest("live", "c" + i, "user-" + i, Set.of("task:abc123")), new Subscriber() {
                    @Override
                    public void onEvent(EventLogEntry entry) {
                        sequences.add(entry.sequence());
                        received.countDown();
                    }

                    @Override
                    public void onSignal(HubSignal signal) {
                    }
                });
            }
            s.broadcast("task:abc123", Notification.builder().event("task.progress").data(Map.of("percent", 50)));
            await(received);
            assertThat(sequences).hasSize(subscribers).containsOnly(sequences.get(0));
            assertThat(s.eventLog().readAfter(0, "nobody", Set.of("task:abc123"), 10).entries()).hasSize(1);
        }
    }

    /** A stream channel that fans out through its service's hub, like the SSE channel does. */
    private static Channel liveChannel(NotificationService[] holder) {
        return new Channel() {
            @Override
            public String name() {
                return "live";
            }

            @Override
            public ChannelKind kind() {
                return ChannelKind.STREAM;
            }

            @Override
            public DeliveryResult deliver(Delivery d) {
                for (EventLogEntry e : d.events()) {
                    holder[0].hub().fanOut("live", e);
                }
                return DeliveryResult.sent();
            }
        };
    }

    private static Subscriber recordingSequences(List<Long> into, CountDownLatch latch) {
        return new Subscriber() {
            @Override
            public void onEvent(EventLogEntry entry) {
                into.add(entry.sequence());
                latch.countDown();
            }

            @Override
            public void onSignal(HubSignal signal) {
            }
        };
    }

    @Nested
    @DisplayName("live streams")
    class LiveStreams {

        @Test
        void aSubscriberSeesEventsInSequenceOrderWhilePublishersRaceEachOther() throws Exception {
            NotificationService[] holder = new NotificationService[1];
            NotificationService s = start(ServiceConfig.defaults(), liveChannel(holder));
            holder[0] = s;
            int publishers = 4;
            int each = 2_000;
            List<Long> seen = new CopyOnWriteArrayList<>();
            CountDownLatch all = new CountDownLatch(publishers * each);
            s.hub().subscribe(new SubscriptionRequest("live", "c1", "watcher", Set.of("jobs")), recordingSequences(seen, all));
            ExecutorService pool = Executors.newFixedThreadPool(publishers);
            for (int p = 0; p < publishers; p++) {
                pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        s.broadcast("jobs", Notification.builder().event("task.progress"));
                    }
                });
            }
            pool.shutdown();
            await(all);
            assertThat(seen).hasSize(publishers * each).isSorted().doesNotHaveDuplicates();
        }

        @Test
        void aSubscriberOnAnotherNodeSharingTheStoreReceivesWhatThisNodePublished() throws Exception {
            dev.notify.core.memory.InMemoryNotificationStore shared = new dev.notify.core.memory.InMemoryNotificationStore();
            NotificationService[] a = new NotificationService[1];
            NotificationService[] b = new NotificationService[1];
            a[0] = NotificationService.builder().store(shared).config(ServiceConfig.builder().nodeId("a").build())
                    .channel(liveChannel(a)).build();
            services.add(a[0]);
            b[0] = NotificationService.builder().store(shared)
                    .config(ServiceConfig.builder().nodeId("b").streamPollInterval(Duration.ofMillis(20)).build())
                    .channel(liveChannel(b)).build();
            services.add(b[0]);
            List<Long> onB = new CopyOnWriteArrayList<>();
            CountDownLatch got = new CountDownLatch(3);
            b[0].hub().subscribe(new SubscriptionRequest("live", "c1", "u1", Set.of("task:abc")), recordingSequences(onB, got));

            a[0].notify(Notification.builder().recipient("u1").title("direct").build());
            a[0].broadcast("task:abc", Notification.builder().event("task.progress"));
            a[0].notify(Notification.builder().recipient("u2").title("not for u1").build());
            a[0].notify(Notification.builder().recipient("u1").title("again").build());
            await(got);

            assertThat(onB).hasSize(3).isSorted();
        }

        @Test
        void aStreamChannelRegisteredAfterStartReceivesWhatIsPublishedFromThenOn() throws Exception {
            // a push-only service skips the event log without reading it; registering a stream channel ends that
            NotificationService s = start(ServiceConfig.builder().streamPollInterval(Duration.ofMillis(20)).build(),
                    new RecordingPushChannel("hook"));
            String before = s.notify(Notification.builder().recipient("u1").title("before any stream channel").build());
            NotificationService[] holder = {s};
            s.registerChannel(liveChannel(holder));
            List<String> seen = new CopyOnWriteArrayList<>();
            CountDownLatch gotLast = new CountDownLatch(1);
            s.hub().subscribe(new SubscriptionRequest("live", "c1", "u1", Set.of()), new Subscriber() {
                @Override
                public void onEvent(EventLogEntry entry) {
                    seen.add(entry.notification().id());
                    if (entry.notification().id().equals("after-2")) {
                        gotLast.countDown();
                    }
                }

                @Override
                public void onSignal(HubSignal signal) {
                }
            });

            s.notify(Notification.builder().id("after-1").recipient("u1").title("after").build());
            s.notify(Notification.builder().id("after-2").recipient("u1").title("and again").build());
            await(gotLast); // fan-out is in log order: the last one arriving means the ones before it went out

            assertThat(seen).contains("after-1", "after-2");
            assertThat(s.eventLog().readAfter(0, "u1", Set.of(), 10).entries()).extracting(e -> e.notification().id())
                    .as("the entry published before is still in the log").containsExactly(before, "after-1", "after-2");
        }
    }

    @Nested
    @DisplayName("inbox, listeners and metrics")
    class Observability {

        @Test
        void aChannelsOperationalEventIsPublishedOnTheOpsTopicThroughStreamChannelsOnly() throws Exception {
            NotificationService[] holder = new NotificationService[1];
            RecordingPushChannel bystander = new RecordingPushChannel("bystander");
            dev.notify.api.spi.ChannelProvider emitter = new dev.notify.api.spi.ChannelProvider() {
                @Override
                public String name() {
                    return "emitter";
                }

                @Override
                public Channel create(dev.notify.api.spi.ChannelContext context) {
                    return new Channel() {
                        @Override
                        public String name() {
                            return "emitter";
                        }

                        @Override
                        public ChannelKind kind() {
                            return ChannelKind.PUSH;
                        }

                        @Override
                        public DeliveryResult deliver(Delivery d) {
                            context.emitOperationalEvent("endpoint.disabled", "endpoint e1 disabled", Map.of("endpoint_id", "e1"));
                            return DeliveryResult.failed("gone");
                        }
                    };
                }
            };
            NotificationService s = NotificationService.builder().config(ServiceConfig.defaults())
                    .channel(liveChannel(holder)).channel(bystander).channel(emitter).build();
            services.add(s);
            holder[0] = s;
            List<EventLogEntry> seen = new CopyOnWriteArrayList<>();
            CountDownLatch got = new CountDownLatch(1);
            s.hub().subscribe(new SubscriptionRequest("live", "ops", "admin", Set.of(dev.notify.api.spi.ChannelContext.OPS_TOPIC)),
                    new Subscriber() {
                        @Override
                        public void onEvent(EventLogEntry entry) {
                            seen.add(entry);
                            got.countDown();
                        }

                        @Override
                        public void onSignal(HubSignal signal) {
                        }
                    });
            s.notify(Notification.builder().recipient("u1").title("t").channel("emitter").build());
            await(got);

            Notification ops = seen.get(0).notification();
            assertThat(ops.topic()).hasValue("notify:ops");
            assertThat(ops.event()).isEqualTo("endpoint.disabled");
            assertThat(ops.type()).isEqualTo(dev.notify.api.NotificationType.WARNING);
            assertThat(ops.title()).isEqualTo("endpoint e1 disabled");
            assertThat(ops.data()).containsEntry("endpoint_id", "e1").containsEntry("source", "emitter");
            assertThat(ops.channels()).containsExactly("live");
            assertThat(bystander.deliveries).as("push channels do not carry operational events").isEmpty();
        }

        @Test
        void inboxChangesPushStatsToTheUsersLiveConnections() throws InterruptedException {
            NotificationService s = start(ServiceConfig.defaults());
            List<HubSignal> signals = new CopyOnWriteArrayList<>();
            s.hub().subscribe(new SubscriptionRequest("any", "c1", "u", Set.of()), new Subscriber() {
                @Override
                public void onEvent(EventLogEntry entry) {
                }

                @Override
                public void onSignal(HubSignal signal) {
                    signals.add(signal);
                }
            });
            String id = s.notify(note("u").build());
            s.notify(note("someone-else").build());
            // a publish's counts go out soon, off the publishing thread; a mark's before the call returns
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (signals.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertThat(signals).containsExactly(new HubSignal.StatsChanged(new dev.notify.api.InboxStats(1, 1, 0)));
            assertThat(s.inbox().mark("u", List.of(id), true)).isEqualTo(1);
            assertThat(s.inbox().mark("someone-else", List.of(id), true)).as("a foreign id is not found").isZero();

            assertThat(signals).containsExactly(
                    new HubSignal.StatsChanged(new dev.notify.api.InboxStats(1, 1, 0)),
                    new HubSignal.StatsChanged(new dev.notify.api.InboxStats(1, 0, 1)));
        }

        @Test
        void countsSentFailedAndRetryingPerChannelAndRecordsLatency() throws Exception {
            RecordingPushChannel ok = new RecordingPushChannel("ok");
            RecordingPushChannel bad = new RecordingPushChannel("bad");
            bad.behaviour = d -> DeliveryResult.failed("nope");
            CountDownLatch done = new CountDownLatch(2);
            NotificationService s = start(ServiceConfig.defaults(), ok, bad);
            s.addListener(new DeliveryListener() {
                @Override
                public void onSent(DeliveryRecord d) {
                    done.countDown();
                }

                @Override
                public void onFailed(DeliveryRecord d, String reason) {
                    done.countDown();
                }
            });
            s.notify(note("u").build());
            await(done);
            MeterRegistry m = s.meterRegistry();
            assertThat(m.get("notify.deliveries.sent").tag("channel", "ok").counter().count()).isEqualTo(1.0);
            assertThat(m.get("notify.deliveries.failed").tag("channel", "bad").counter().count()).isEqualTo(1.0);
            assertThat(m.get("notify.delivery.latency").tag("channel", "ok").timer().count()).isEqualTo(1);
            assertThat(m.get("notify.queue.depth").gauge().value()).isZero();
        }
    }

    @Nested
    @DisplayName("shutdown")
    class Shutdown {

        @Test
        void closeDrainsWhatIsQueuedAndRefusesNewPublishes() {
            RecordingPushChannel ch = new RecordingPushChannel("slow");
            ch.behaviour = d -> {
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return DeliveryResult.sent();
            };
            NotificationService s = NotificationService.builder().config(ServiceConfig.builder().workers(2).build()).channel(ch).build();
            for (int i = 0; i < 500; i++) {
                s.notify(note("u").build());
            }
            ShutdownReport report = s.close(Duration.ofSeconds(30));

            assertThat(report.clean()).isTrue();
            assertThat(ch.deliveries).hasSize(500);
            assertThatThrownBy(() -> s.notify(note("u").build())).isInstanceOf(IllegalStateException.class);
            assertThat(s.close(Duration.ofSeconds(1)).clean()).as("closing twice is harmless").isTrue();
        }

        @Test
        void closeReportsWhatItCouldNotFinishAndHandsStoredDeliveriesBack() throws Exception {
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch never = new CountDownLatch(1);
            RecordingPushChannel ch = new RecordingPushChannel("stuck");
            ch.behaviour = d -> {
                started.countDown();
                try {
                    never.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return DeliveryResult.sent();
            };
            dev.notify.core.memory.InMemoryNotificationStore store = new dev.notify.core.memory.InMemoryNotificationStore();
            NotificationService s = NotificationService.builder().store(store)
                    .config(ServiceConfig.builder().workers(1).build()).channel(ch).build();
            String first = s.notify(note("u").build());
            await(started);
            String second = s.notify(note("u").build());
            ShutdownReport report = s.close(Duration.ofMillis(200));

            assertThat(report.clean()).isFalse();
            assertThat(report.unfinished()).anyMatch(u -> u.contains(first) && u.contains("in flight"));
            assertThat(report.unfinished()).anyMatch(u -> u.contains(second));
            DeliveryRecord handedBack = store.deliveries(second).get(0);
            assertThat(handedBack.status()).isEqualTo(DeliveryStatus.PENDING);
            assertThat(store.claimDue(Instant.now().plusSeconds(1), 10, new dev.notify.api.spi.Lease("other-node", Instant.now().plusSeconds(60))))
                    .as("another node can claim what was handed back").extracting(DeliveryRecord::id).contains(handedBack.id());
            never.countDown();
            store.close();
        }
    }
}
