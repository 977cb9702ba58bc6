package dev.notify.testkit;

import dev.notify.api.Api;
import dev.notify.api.DeliveryResult;
import dev.notify.api.Notification;
import dev.notify.api.NotifyApi;
import dev.notify.api.Priority;
import dev.notify.api.spi.AsyncChannel;
import dev.notify.api.spi.Channel;
import dev.notify.api.spi.ChannelContext;
import dev.notify.api.spi.ChannelKind;
import dev.notify.api.spi.ChannelProvider;
import dev.notify.api.spi.Delivery;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The contract every channel plugin passes. Extend it in your plugin's tests and supply the
 * provider and a context:
 *
 * <pre>{@code
 * class FileChannelContractTest extends ChannelContract {
 *     @TempDir Path dir;
 *
 *     protected ChannelProvider provider() { return new FileChannelProvider(); }
 *
 *     protected ChannelContext context() {
 *         return TestChannelContext.builder("file").config(Map.of("path", dir.resolve("out").toString())).build();
 *     }
 * }
 * }</pre>
 *
 * <p>It checks what the host relies on when it loads and drives a plugin: a valid name, a public
 * no-argument constructor, discovery through {@link ServiceLoader} (so register the provider in
 * {@code META-INF/services} of the classpath the test runs on), a channel named like its
 * provider, targets that fit its {@link ChannelKind}, {@code deliver} that answers instead of
 * throwing, and an idempotent {@code close}. Behaviour that differs between channels is declared
 * with the capability methods ({@link #isStreamChannel()}, {@link #isAsyncChannel()},
 * {@link #supportsConcurrentDelivery()}) and the sample methods ({@link #sampleNotification()},
 * {@link #pushTarget(Channel)}).
 *
 * <p>An {@link AsyncChannel} declares itself with {@link #isAsyncChannel()} and passes the checks
 * of {@link AnAsyncChannel} as well: {@code deliverAsync} returns at once without throwing, its stage
 * completes with a result rather than an exception, many attempts may be in flight at once, and a
 * stage cancelled at the engine's deadline leaves the channel working. The blocking checks run too,
 * through the {@code deliver} an {@code AsyncChannel} inherits.
 */
@Api(status = Api.Status.EXPERIMENTAL, since = "0.1")
public abstract class ChannelContract {

    /** The instant sample notifications are created at. */
    protected static final Instant NOW = Instant.parse("2030-01-01T00:00:00.000001Z");

    private final List<Channel> opened = new ArrayList<>();
    private final List<AutoCloseable> contexts = new ArrayList<>();

    /** The provider under test, a new instance per call. */
    protected abstract ChannelProvider provider();

    /**
     * A context to create the channel with, called once per channel the contract opens. A context
     * that is {@link AutoCloseable} (a {@link TestChannelContext} is) is closed by the contract
     * after the test, after the channels made with it.
     */
    protected abstract ChannelContext context();

    /** Whether the channel is a {@link ChannelKind#STREAM} channel; {@code false} (push) by default. */
    protected boolean isStreamChannel() {
        return false;
    }

    /**
     * Whether the channel is an {@link AsyncChannel}, whose attempts the engine starts without
     * holding a thread; {@code false} (a blocking channel) by default.
     */
    protected boolean isAsyncChannel() {
        return false;
    }

    /**
     * Longest an {@link AsyncChannel#deliverAsync} call may take to return (not to complete): the
     * engine calls it on a shared worker. 1 s by default, generous for a channel that only starts I/O.
     */
    protected Duration asyncCallBudget() {
        return Duration.ofSeconds(1);
    }

    /** Longest an attempt's stage may take to complete in these checks; 30 s by default. */
    protected Duration attemptBudget() {
        return Duration.ofSeconds(30);
    }

    /** Whether {@code deliver} may be called from several threads at once; every channel must, so {@code true}. */
    protected boolean supportsConcurrentDelivery() {
        return true;
    }

    /**
     * A notification the channel can carry. By default one to user {@code u1} on topic
     * {@code task:abc123}, with a little data; override it when the channel needs more.
     */
    protected Notification sampleNotification() {
        return Notification.builder()
                .recipient("u1")
                .topic("task:abc123")
                .event("task.progress")
                .priority(Priority.HIGH)
                .title("Import running")
                .body("50% done")
                .data(Map.of("task_id", "abc123", "percent", 50, "message", "Processing..."))
                .createdAt(NOW)
                .build();
    }

    /**
     * The target a push channel delivers the sample to. By default the first of the channel's
     * {@code targets(sampleNotification())}, else the first recipient; override it when targets
     * need setting up (a registered webhook endpoint, for example).
     */
    protected String pushTarget(Channel channel) {
        Set<String> targets = channel.targets(sampleNotification());
        if (!targets.isEmpty()) {
            return targets.iterator().next();
        }
        return sampleNotification().recipients().get(0);
    }

    /** Creates a channel through the provider; the contract closes it after the test. */
    protected final Channel openChannel() {
        Channel channel = provider().create(trackedContext());
        assertThat(channel).as("%s.create(context)", provider().getClass().getName()).isNotNull();
        opened.add(channel);
        return channel;
    }

    /** A valid delivery of the sample notification through {@code channel}, as the engine would make it. */
    protected final Delivery sampleDelivery(Channel channel, int attempt) {
        String target = isStreamChannel() ? Delivery.STREAM_TARGET : pushTarget(channel);
        return TestDeliveries.of(sampleNotification(), channel.name(), target, attempt);
    }

    @AfterEach
    void closeOpenedChannels() {
        for (Channel c : opened) {
            try {
                c.close();
            } catch (RuntimeException e) {
                // the close tests report this; here it must not hide the test's own failure
            }
        }
        opened.clear();
        for (AutoCloseable c : contexts) {
            try {
                c.close();
            } catch (Exception e) {
                // a context that fails to close must not hide the test's own failure
            }
        }
        contexts.clear();
    }

    private ChannelContext trackedContext() {
        ChannelContext c = context();
        if (c instanceof AutoCloseable) {
            contexts.add((AutoCloseable) c);
        }
        return c;
    }

    /** Checks of the provider, before any channel exists. */
    @Nested
    @DisplayName("the provider")
    class TheProvider {

        @Test
        @DisplayName("has a name of lower-case letters, digits and '-', starting with a letter")
        void hasAValidName() {
            assertThat(provider().name()).matches("[a-z][a-z0-9-]{0,62}");
        }

        @Test
        @DisplayName("is a public class with a public no-argument constructor, as ServiceLoader needs")
        void hasAPublicNoArgConstructor() throws Exception {
            Class<?> type = provider().getClass();
            assertThat(Modifier.isPublic(type.getModifiers())).as("%s is public", type.getName()).isTrue();
            assertThat(Modifier.isAbstract(type.getModifiers())).as("%s is abstract", type.getName()).isFalse();
            Constructor<?> constructor = type.getConstructor();
            assertThat(Modifier.isPublic(constructor.getModifiers())).isTrue();
            assertThat(constructor.newInstance()).isInstanceOf(ChannelProvider.class);
        }

        @Test
        @DisplayName("is discovered by ServiceLoader under its name")
        void isDiscoverableThroughServiceLoader() {
            String name = provider().name();
            List<String> found = new ArrayList<>();
            Iterator<ChannelProvider> it = ServiceLoader.load(ChannelProvider.class).iterator();
            while (true) {
                try {
                    if (!it.hasNext()) {
                        break;
                    }
                    ChannelProvider p = it.next();
                    found.add(p.name() + " (" + p.getClass().getName() + ")");
                    if (name.equals(p.name()) && p.getClass() == provider().getClass()) {
                        return;
                    }
                } catch (ServiceConfigurationError e) {
                    // another plugin on the test classpath is broken; that is not this plugin's fault
                    found.add("<broken: " + e.getMessage() + ">");
                }
            }
            throw new AssertionError("ServiceLoader.load(ChannelProvider.class) did not find " + provider().getClass().getName()
                    + " named '" + name + "'; found " + found + ". List the class in META-INF/services/"
                    + ChannelProvider.class.getName() + " and in module-info.java (provides ... with ...).");
        }

        @Test
        @DisplayName("was built for an SPI version this notify-api supports")
        void declaresASupportedApiVersion() {
            assertThat(provider().apiVersion()).isBetween(1, NotifyApi.VERSION);
        }

        @Test
        @DisplayName("reports a version and its sensitive configuration keys")
        void reportsVersionAndSensitiveKeys() {
            assertThat(provider().version()).isNotBlank();
            assertThat(provider().sensitiveConfigKeys()).isNotNull().doesNotContainNull();
        }
    }

    /** Checks of a created channel. */
    @Nested
    @DisplayName("a created channel")
    class ACreatedChannel {

        @Test
        @DisplayName("is named like its provider")
        void isNamedLikeItsProvider() {
            assertThat(openChannel().name()).isEqualTo(provider().name());
        }

        @Test
        @DisplayName("has the kind its capability flags declare")
        void hasTheDeclaredKind() {
            assertThat(openChannel().kind()).isNotNull()
                    .isEqualTo(isStreamChannel() ? ChannelKind.STREAM : ChannelKind.PUSH);
        }

        @Test
        @DisplayName("targets the whole audience when it is a stream channel, concrete targets when it pushes")
        void targetsFitItsKind() {
            Channel channel = openChannel();
            Set<String> targets = channel.targets(sampleNotification());
            assertThat(targets).isNotNull().doesNotContainNull();
            if (isStreamChannel()) {
                assertThat(targets).containsExactly(Delivery.STREAM_TARGET);
            } else {
                assertThat(targets).doesNotContain(Delivery.STREAM_TARGET);
            }
        }

        @Test
        @DisplayName("answers a valid delivery with a result instead of throwing")
        void deliversWithoutThrowing() {
            Channel channel = openChannel();
            Delivery delivery = sampleDelivery(channel, 1);
            DeliveryResult[] result = new DeliveryResult[1];
            assertThatCode(() -> result[0] = channel.deliver(delivery)).doesNotThrowAnyException();
            assertThat(result[0]).isNotNull();
            assertThat(result[0].outcome()).isNotNull();
        }

        @Test
        @DisplayName("answers a retry of a delivery with a result too")
        void deliversARetryWithoutThrowing() {
            Channel channel = openChannel();
            Delivery retry = sampleDelivery(channel, 3);
            DeliveryResult[] result = new DeliveryResult[1];
            assertThatCode(() -> result[0] = channel.deliver(retry)).doesNotThrowAnyException();
            assertThat(result[0]).isNotNull();
        }

        @Test
        @DisplayName("can be delivered to from several threads at once")
        void deliversConcurrently() throws Exception {
            assumeTrue(supportsConcurrentDelivery(), "the channel declares it does not support concurrent delivery");
            Channel channel = openChannel();
            int threads = 4;
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                CountDownLatch start = new CountDownLatch(1);
                List<Future<DeliveryResult>> results = new ArrayList<>();
                for (int i = 0; i < threads; i++) {
                    results.add(pool.submit(() -> {
                        start.await();
                        return channel.deliver(sampleDelivery(channel, 1));
                    }));
                }
                start.countDown();
                for (Future<DeliveryResult> f : results) {
                    assertThat(f.get(30, TimeUnit.SECONDS)).isNotNull();
                }
            } finally {
                pool.shutdownNow();
            }
        }

        @Test
        @DisplayName("can be closed twice without an exception")
        void closesIdempotently() {
            Channel channel = openChannel();
            assertThatCode(() -> {
                channel.close();
                channel.close();
            }).doesNotThrowAnyException();
        }

        @Test
        @DisplayName("can be closed without ever having delivered")
        void closesUnused() {
            Channel channel = provider().create(trackedContext());
            assertThatCode(channel::close).doesNotThrowAnyException();
        }
    }

    /** Checks of an {@link AsyncChannel}; skipped for a blocking channel. */
    @Nested
    @DisplayName("an asynchronous channel")
    class AnAsyncChannel {

        private AsyncChannel openAsync() {
            Channel channel = openChannel();
            assumeTrue(isAsyncChannel(), "the channel declares it is a blocking channel");
            assertThat(channel).as("%s declares isAsyncChannel() but its channel", provider().getClass().getName())
                    .isInstanceOf(AsyncChannel.class);
            return (AsyncChannel) channel;
        }

        private DeliveryResult resultOf(CompletionStage<DeliveryResult> stage) throws Exception {
            assertThat(stage).as("the stage deliverAsync returns").isNotNull();
            try {
                DeliveryResult r = stage.toCompletableFuture().get(attemptBudget().toMillis(), TimeUnit.MILLISECONDS);
                assertThat(r).as("the result a stage completes with").isNotNull();
                assertThat(r.outcome()).isNotNull();
                return r;
            } catch (ExecutionException e) {
                throw new AssertionError("the stage completed exceptionally; report failures as a DeliveryResult"
                        + " (DeliveryResult.retryLater or failed) instead", e.getCause());
            } catch (TimeoutException e) {
                throw new AssertionError("the stage did not complete within " + attemptBudget()
                        + "; it must complete, with the result or a timeout of the channel's own", e);
            }
        }

        @Test
        @DisplayName("is an AsyncChannel exactly when it declares so")
        void isAsyncExactlyWhenDeclared() {
            assertThat(openChannel() instanceof AsyncChannel).as("channel instanceof AsyncChannel").isEqualTo(isAsyncChannel());
        }

        @Test
        @DisplayName("returns from deliverAsync at once, without throwing, with a stage that completes with a result")
        void deliversAsynchronously() throws Exception {
            AsyncChannel channel = openAsync();
            Delivery delivery = sampleDelivery(channel, 1);
            List<CompletionStage<DeliveryResult>> stage = new ArrayList<>();
            long start = System.nanoTime();
            assertThatCode(() -> stage.add(channel.deliverAsync(delivery))).doesNotThrowAnyException();
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(took).as("deliverAsync runs on a shared worker: it starts the attempt and returns")
                    .isLessThanOrEqualTo(asyncCallBudget());
            resultOf(stage.get(0));
        }

        @Test
        @DisplayName("completes a retry's stage with a result too")
        void deliversARetryAsynchronously() throws Exception {
            AsyncChannel channel = openAsync();
            resultOf(channel.deliverAsync(sampleDelivery(channel, 3)));
        }

        @Test
        @DisplayName("has many attempts in flight at once, started from several threads")
        void hasManyAttemptsInFlight() throws Exception {
            assumeTrue(supportsConcurrentDelivery(), "the channel declares it does not support concurrent delivery");
            AsyncChannel channel = openAsync();
            int attempts = 16;
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                CountDownLatch start = new CountDownLatch(1);
                List<Future<CompletionStage<DeliveryResult>>> started = new ArrayList<>();
                for (int i = 0; i < attempts; i++) {
                    started.add(pool.submit(() -> {
                        start.await();
                        return channel.deliverAsync(sampleDelivery(channel, 1));
                    }));
                }
                start.countDown();
                for (Future<CompletionStage<DeliveryResult>> f : started) {
                    resultOf(f.get(attemptBudget().toMillis(), TimeUnit.MILLISECONDS));
                }
            } finally {
                pool.shutdownNow();
            }
        }

        @Test
        @DisplayName("keeps working after the engine cancels a stage at its deadline")
        void survivesACancelledStage() throws Exception {
            AsyncChannel channel = openAsync();
            CompletionStage<DeliveryResult> first = channel.deliverAsync(sampleDelivery(channel, 1));
            assertThat(first).isNotNull();
            // what the engine does when the attempt's deadline passes; a stage that cannot be cancelled runs on
            assertThatCode(() -> {
                try {
                    first.toCompletableFuture().cancel(true);
                } catch (UnsupportedOperationException e) {
                    // allowed: the engine then ignores the late answer
                }
            }).doesNotThrowAnyException();
            resultOf(channel.deliverAsync(sampleDelivery(channel, 2)));
        }
    }
}
