package dev.notify.channel.webhook.internal;

import dev.notify.api.DeliveryResult;
import dev.notify.api.Notification;
import dev.notify.api.TopicPatterns;
import dev.notify.api.WebhookEndpoint;
import dev.notify.api.spi.AsyncChannel;
import dev.notify.api.spi.ChannelContext;
import dev.notify.api.spi.ChannelKind;
import dev.notify.api.spi.Delivery;
import dev.notify.api.spi.Metrics;
import dev.notify.api.spi.WebhookEndpointStore;
import dev.notify.channel.webhook.WebhookSignatures;
import dev.notify.web.RateLimiter;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * The webhook channel. {@link #targets} picks the enabled endpoints whose filters match; each
 * {@link #deliverAsync} is one signed POST through {@link WebhookHttp} (Jetty's non-blocking client,
 * every address checked at every attempt), sent without holding the caller's thread, to the
 * endpoint as stored, read through a cache of at most
 * {@code endpoint-cache-ttl} (a rotation, an update or a disable through this node's API takes effect on
 * the next attempt; one made on another node as soon as its cluster signal arrives, within the TTL
 * if the signal is lost). Retries, backoff, dead
 * letters and replay are the engine's; this class maps an answer to a {@link DeliveryResult}, keeps
 * the endpoint's failure run ({@code consecutiveFailures}, {@code failingSince}) and disables an
 * endpoint that answers 410 or has failed for {@code auto-disable-after}.
 */
public final class WebhookChannel implements AsyncChannel {

    private final ChannelContext context;
    private final String name;
    private final String apiPath;
    private final WebhookSettings settings;
    private final WebhookEndpointStore endpoints;
    private final Clock clock;
    private final Metrics metrics;
    private final System.Logger log;
    private final AddressPolicy policy;
    private final WebhookHttp http;
    private final Map<String, EndpointSlots> inFlight = new ConcurrentHashMap<>();
    private final Semaphore nodeInFlight;
    private final Semaphore nodeWaiting;
    private final BacklogPuller puller;
    private volatile CachedList cache;
    private volatile boolean closed;

    private final Map<String, WebhookSignatures.Signer> signers = new ConcurrentHashMap<>();

    private record CachedList(List<WebhookEndpoint> endpoints, Map<String, WebhookEndpoint> byId, long loadedAtNanos) {
        static CachedList of(List<WebhookEndpoint> list, long now) {
            Map<String, WebhookEndpoint> byId = new java.util.HashMap<>();
            for (WebhookEndpoint e : list) {
                byId.put(e.id(), e);
            }
            return new CachedList(List.copyOf(list), byId, now);
        }
    }

    /**
     * A channel over the context's endpoint store, clock, scheduler and metrics, named as its
     * context says; registers the endpoint API at {@code apiPath} when the context has a web registry.
     */
    public WebhookChannel(ChannelContext context, WebhookSettings settings, String apiPath) {
        this(context, settings, apiPath, new AddressPolicy(settings), null);
    }

    /** A channel with its own address policy and HTTP client (tests). */
    public WebhookChannel(ChannelContext context, WebhookSettings settings, String apiPath, AddressPolicy policy, WebhookHttp http) {
        this.context = context;
        this.name = context.channelName();
        this.apiPath = apiPath;
        this.settings = settings;
        this.endpoints = context.webhookEndpoints();
        this.clock = context.clock();
        this.metrics = context.metrics();
        this.log = context.logger();
        this.policy = policy;
        this.http = http != null ? http : new WebhookHttp(policy, settings);
        this.nodeInFlight = new Semaphore(settings.maxInFlight());
        metrics.gauge("notify.webhook.in-flight", () -> settings.maxInFlight() - nodeInFlight.availablePermits());
        this.nodeWaiting = new Semaphore(settings.maxWaiting());
        metrics.gauge("notify.webhook.waiting", () -> settings.maxWaiting() - nodeWaiting.availablePermits());
        // another node changed an endpoint (or hints were lost: "*"): read the list afresh at the next use
        context.onSettingChanged(id -> invalidate());
        this.puller = new BacklogPuller(context, settings.busyWait(), inFlight);
        context.web().ifPresent(web -> {
            WebhookServlet servlet = new WebhookServlet(this);
            web.register(apiPath, jakarta.servlet.Servlet.class, servlet);
            web.register(apiPath + "/*", jakarta.servlet.Servlet.class, servlet);
        });
    }

    @Override
    public String name() {
        return name;
    }

    /** Where the endpoint registry API is served. */
    String apiPath() {
        return apiPath;
    }

    @Override
    public ChannelKind kind() {
        return ChannelKind.PUSH;
    }

    /** The endpoint ids this notification goes to: enabled, and matching both filters. */
    @Override
    public Set<String> targets(Notification n) {
        Set<String> out = new LinkedHashSet<>();
        for (WebhookEndpoint e : currentEndpoints()) {
            if (e.enabled() && matches(e, n)) {
                out.add(e.id());
            }
        }
        return out;
    }

    /** Whether the endpoint's topic and event filters let the notification through (empty = everything). */
    static boolean matches(WebhookEndpoint e, Notification n) {
        if (!e.topics().isEmpty()) {
            if (n.topic().isEmpty()) {
                return false;
            }
            boolean any = false;
            for (String p : e.topics()) {
                any |= TopicPatterns.matches(p, n.topic().get());
            }
            if (!any) {
                return false;
            }
        }
        if (!e.events().isEmpty()) {
            boolean any = false;
            for (String p : e.events()) {
                any |= TopicPatterns.matches(p, n.event());
            }
            return any;
        }
        return true;
    }

    private List<WebhookEndpoint> currentEndpoints() {
        return currentCache().endpoints;
    }

    private CachedList currentCache() {
        CachedList c = cache;
        long now = System.nanoTime();
        if (c == null || now - c.loadedAtNanos > settings.endpointCacheTtl().toNanos()) {
            c = CachedList.of(endpoints.list(), now);
            cache = c;
        }
        return c;
    }

    /**
     * The endpoint as stored, at most {@code endpoint-cache-ttl} old: from the cached list when it
     * is there (changes through this node's API invalidate the cache at once; changes made on
     * another node show within the TTL), from the store otherwise.
     */
    private Optional<WebhookEndpoint> endpoint(String id) {
        if (settings.endpointCacheTtl().isZero()) {
            return endpoints.find(id);
        }
        WebhookEndpoint e = currentCache().byId.get(id);
        return e != null ? Optional.of(e) : endpoints.find(id);
    }

    private WebhookSignatures.Signer signer(String secret) {
        WebhookSignatures.Signer s = signers.get(secret);
        if (s == null) {
            if (signers.size() > 10_000) {
                signers.clear();
            }
            s = WebhookSignatures.signer(secret);
            signers.put(secret, s);
        }
        return s;
    }

    /** Forgets the cached endpoint list (after a change through the API). */
    void invalidate() {
        cache = null;
    }

    /**
     * An endpoint was created, changed or deleted on this node: forgets the cached list here and
     * tells the other nodes sharing the store to forget theirs ({@link ChannelContext#settingChanged}),
     * so the change reaches their next attempt within the signal's latency rather than their
     * {@code endpoint-cache-ttl}.
     */
    void changed(String endpointId) {
        invalidate();
        context.settingChanged(endpointId);
    }

    /**
     * Starts one attempt: the checks that need no I/O (endpoint, rate, in-flight limits) answer at
     * once; the POST is sent without waiting and the stage completes from the client's response
     * listener (or its deadline), after the endpoint's failure run is kept.
     */
    @Override
    public CompletionStage<DeliveryResult> deliverAsync(Delivery delivery) {
        try {
            return start(delivery);
        } catch (RuntimeException e) { // the endpoint store failed: the contract says return, never throw
            return CompletableFuture.completedFuture(DeliveryResult.retryLater("the attempt could not start: " + describe(e)));
        }
    }

    private CompletableFuture<DeliveryResult> start(Delivery delivery) {
        if (closed) {
            return CompletableFuture.completedFuture(DeliveryResult.retryLater("the webhook channel is closed"));
        }
        Optional<WebhookEndpoint> found = endpoint(delivery.target());
        if (found.isEmpty()) {
            return CompletableFuture.completedFuture(DeliveryResult.failed("webhook endpoint " + delivery.target() + " was deleted"));
        }
        WebhookEndpoint endpoint = found.get();
        if (!endpoint.enabled()) {
            return CompletableFuture.completedFuture(DeliveryResult.failed("webhook endpoint " + endpoint.id() + " is disabled"));
        }
        RateLimiter.Decision rate = settings.rateLimit().take(endpoint.id(), 1);
        if (!rate.allowed()) {
            metrics.count("notify.webhook.rate-limited", 1);
            return CompletableFuture.completedFuture(DeliveryResult.deferred("webhook endpoint " + endpoint.id()
                    + " is over its rate limit (" + settings.rateLimit().perSecond() + " per second)",
                    Duration.ofNanos(rate.retryAfterNanos())));
        }
        EndpointSlots slots = inFlight.computeIfAbsent(endpoint.id(), id -> new EndpointSlots(settings.maxConcurrencyPerEndpoint(),
                settings.maxWaitingPerEndpoint()));
        if (slots.tryAcquire()) {
            return send(endpoint, delivery, slots);
        }
        InLine waiter = new InLine(endpoint, delivery, slots);
        switch (slots.acquireOrWait(waiter, settings.busyWait().toNanos(), nodeWaiting::tryAcquire)) {
            case TAKEN:
                return send(endpoint, delivery, slots);
            case WAITING:
                waiter.expireIn(settings.busyWait());
                waiter.leaveIfCancelled();
                return waiter.result;
            default:
                return CompletableFuture.completedFuture(busy(endpoint, slots));
        }
    }

    /** The endpoint is saturated: deferred to its reserved place, no attempt spent. */
    private DeliveryResult busy(WebhookEndpoint endpoint, EndpointSlots slots) {
        metrics.count("notify.webhook.busy", 1);
        return DeliveryResult.deferred("webhook endpoint " + endpoint.id() + " already has "
                + settings.maxConcurrencyPerEndpoint() + " deliveries in flight",
                slots.deferral(System.nanoTime(), settings.busyRetryAfter()));
    }

    /**
     * A delivery in its endpoint's line ({@code busy-wait}): sent when a place is handed to it,
     * deferred like any saturated endpoint's delivery when none came in time. Either way it leaves
     * the node's count of waiting deliveries ({@code max-waiting}) first.
     */
    private final class InLine implements Runnable {
        final WebhookEndpoint endpoint;
        final Delivery delivery;
        final EndpointSlots slots;
        final CompletableFuture<DeliveryResult> result = new CompletableFuture<>();
        private volatile java.util.concurrent.ScheduledFuture<?> timer;

        InLine(WebhookEndpoint endpoint, Delivery delivery, EndpointSlots slots) {
            this.endpoint = endpoint;
            this.delivery = delivery;
            this.slots = slots;
        }

        void expireIn(Duration wait) {
            try {
                timer = context.scheduler().schedule(this::expire, wait.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) { // shutting down
                expire();
            }
        }

        /**
         * The engine gave up on the delivery while it waited (its deadline cancelled the stage): it
         * leaves the line at once, and is never sent.
         */
        void leaveIfCancelled() {
            result.whenComplete((r, failure) -> {
                if (result.isCancelled() && slots.leave(this)) {
                    nodeWaiting.release();
                    cancelTimer();
                }
            });
        }

        private void cancelTimer() {
            java.util.concurrent.ScheduledFuture<?> t = timer;
            if (t != null) {
                t.cancel(false);
            }
        }

        /** Handed a place (on the thread that gave it back). */
        @Override
        public void run() {
            nodeWaiting.release();
            cancelTimer();
            if (result.isDone()) {
                slots.unused(); // cancelled as the place came: the place goes on to the next in line
                return;
            }
            metrics.count("notify.webhook.waited", 1, "outcome", "sent");
            CompletableFuture<DeliveryResult> sent;
            try {
                sent = send(endpoint, delivery, slots);
            } catch (RuntimeException e) {
                sent = CompletableFuture.completedFuture(DeliveryResult.retryLater("the attempt could not start: " + describe(e)));
            }
            sent.whenComplete((r, failure) -> result.complete(failure == null ? r
                    : DeliveryResult.retryLater("the attempt failed: " + describe(failure))));
        }

        /** No place came within busy-wait: deferred after all. */
        void expire() {
            if (slots.leave(this)) {
                nodeWaiting.release();
                metrics.count("notify.webhook.waited", 1, "outcome", "deferred");
                result.complete(busy(endpoint, slots));
            }
        }

        /** The channel closed while this waited. */
        void closed() {
            nodeWaiting.release();
            result.complete(DeliveryResult.retryLater("the webhook channel closed while the delivery waited for its endpoint"));
        }
    }

    /** Sends on a place of the endpoint's already taken: the node's limit, then the attempt, then the endpoint's bookkeeping. */
    private CompletableFuture<DeliveryResult> send(WebhookEndpoint endpoint, Delivery delivery, EndpointSlots slots) {
        if (!nodeInFlight.tryAcquire()) {
            slots.unused();
            metrics.count("notify.webhook.busy", 1, "scope", "node");
            return CompletableFuture.completedFuture(DeliveryResult.deferred("this node already has " + settings.maxInFlight()
                    + " webhook deliveries in flight (max-in-flight)", settings.busyRetryAfter()));
        }
        long started = System.nanoTime();
        CompletableFuture<DeliveryResult> attempt;
        try {
            attempt = attempt(endpoint, delivery, slots);
        } catch (RuntimeException e) {
            attempt = CompletableFuture.failedFuture(e);
        }
        return attempt.handle((result, failure) -> {
            nodeInFlight.release();
            long ended = System.nanoTime();
            if (failure == null && result.isSent() && slots.recovered(ended, ended - started, settings.busyRetryMax())) {
                // answering again after hanging or crawling: its deferred backlog need not wait for the old pace
                log.log(System.Logger.Level.INFO, "webhook endpoint " + endpoint.id() + " answers again; its deferred deliveries are due now");
                metrics.count("notify.webhook.recovered", 1);
                context.deferredDueNow(endpoint.id());
            }
            slots.release(ended - started);
            puller.afterAttempt(endpoint.id(), slots, ended);
            DeliveryResult r = failure != null
                    ? DeliveryResult.retryLater("the attempt failed: " + describe(failure))
                    : result;
            account(endpoint, r);
            return r;
        });
    }

    private CompletableFuture<DeliveryResult> attempt(WebhookEndpoint endpoint, Delivery delivery, EndpointSlots slots) {
        Notification n = delivery.notification();
        String body = context.json().toJson(WebhookPayload.of(n));
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        Instant now = clock.instant();
        long timestamp = now.getEpochSecond();
        String id = delivery.key();
        WebhookSignatures.Signer signer = signer(endpoint.secret());
        StringBuilder signature = new StringBuilder(signer.standard(id, timestamp, bytes));
        if (endpoint.previousSecret().isPresent() && endpoint.previousSecretExpiresAt().map(now::isBefore).orElse(false)) {
            signature.append(' ').append(signer(endpoint.previousSecret().get()).standard(id, timestamp, bytes));
        }
        List<Map.Entry<String, String>> headers = new ArrayList<>(8);
        headers.add(Map.entry("Content-Type", "application/json"));
        headers.add(Map.entry("User-Agent", settings.userAgent()));
        headers.add(Map.entry("X-Webhook-Signature", signer.legacy(bytes)));
        n.taskId().filter(WebhookChannel::isHeaderSafe).ifPresent(t -> headers.add(Map.entry("X-Task-ID", t)));
        headers.add(Map.entry("X-Event-Type", n.event()));
        headers.add(Map.entry("webhook-id", id));
        headers.add(Map.entry("webhook-timestamp", Long.toString(timestamp)));
        headers.add(Map.entry("webhook-signature", signature.toString()));
        return http.post(endpoint.url(), headers, bytes).handle((r, failure) -> {
            slots.answered(failure == null);
            return failure == null
                    ? outcome(endpoint, r)
                    : outcome(endpoint, failure instanceof java.util.concurrent.CompletionException c && c.getCause() != null
                            ? c.getCause() : failure);
        });
    }

    /** What a failed exchange means: refused for good, or a retry. */
    private DeliveryResult outcome(WebhookEndpoint endpoint, Throwable e) {
        if (e instanceof WebhookHttp.Refused) {
            metrics.count("notify.webhook.refused", 1);
            log.log(System.Logger.Level.WARNING, "webhook endpoint " + endpoint.id() + " refused at connection: " + e.getMessage());
            return DeliveryResult.failed("address refused: " + e.getMessage());
        }
        if (e instanceof WebhookHttp.TimedOut) {
            metrics.count("notify.webhook.responses", 1, "status", "timeout");
            return DeliveryResult.retryLater("timed out: " + e.getMessage());
        }
        metrics.count("notify.webhook.responses", 1, "status", "error");
        return DeliveryResult.retryLater("connection failed: " + describe(e));
    }

    /** What an answer means: sent, gone, a redirect not followed, a retry (after Retry-After when given). */
    private DeliveryResult outcome(WebhookEndpoint endpoint, WebhookHttp.Response r) {
        metrics.count("notify.webhook.responses", 1, "status", statusLabel(r.status()));
        String excerpt = r.body() + (r.truncated() ? "\n[truncated at " + settings.maxResponseBytes() + " bytes]" : "");
        int s = r.status();
        DeliveryResult result;
        if (s >= 200 && s < 300) {
            result = DeliveryResult.sent();
        } else if (s == 410) {
            disable(endpoint, "answered 410 Gone", "gone");
            result = DeliveryResult.failed("HTTP 410 Gone: the endpoint is disabled");
        } else if (s >= 300 && s < 400) {
            result = DeliveryResult.retryLater("HTTP " + s + " redirect to " + r.header("location").orElse("(no Location)")
                    + " not followed; register the final URL");
        } else if (s == 429 || s == 502 || s == 503 || s == 504) {
            Optional<Duration> after = r.header("retry-after").flatMap(v -> RetryAfterHeader.parse(v, clock.instant(), settings.retryAfterMin(), settings.retryAfterMax()));
            result = after.isPresent()
                    ? DeliveryResult.retryAfter("HTTP " + s + ", Retry-After " + after.get().toSeconds() + "s", after.get())
                    : DeliveryResult.retryLater("HTTP " + s);
        } else {
            result = DeliveryResult.retryLater("HTTP " + s);
        }
        return result.withStatusCode(s).withResponse(excerpt);
    }

    /** Keeps the endpoint's failure run and disables it when it has failed long enough. */
    private void account(WebhookEndpoint seen, DeliveryResult result) {
        if (result.isSent()) {
            if (seen.consecutiveFailures() != 0 || seen.failingSince().isPresent()) {
                updateCounters(seen.id(), 0, Optional.empty()).ifPresent(this::remember);
            }
            return;
        }
        if (result.reason().startsWith("HTTP 410") || result.reason().startsWith("address refused")) {
            return; // disabled already, or a configuration matter rather than a failing receiver
        }
        Instant now = clock.instant();
        synchronized (lockFor(seen.id())) {
            Optional<WebhookEndpoint> fresh = endpoints.find(seen.id());
            if (fresh.isEmpty() || !fresh.get().enabled()) {
                return;
            }
            WebhookEndpoint e = fresh.get();
            int failures = e.consecutiveFailures() + 1;
            Instant since = e.failingSince().orElse(now);
            boolean disable = failures >= settings.autoDisableMinFailures()
                    && !since.plus(settings.autoDisableAfter()).isAfter(now);
            WebhookEndpoint updated = new WebhookEndpoint(e.id(), e.url(), e.secret(), e.previousSecret(),
                    e.previousSecretExpiresAt(), e.topics(), e.events(), e.description(), !disable && e.enabled(),
                    failures, Optional.of(since), e.createdAt(), disable ? now : e.updatedAt());
            endpoints.update(updated);
            if (disable) {
                changed(e.id());
                announceDisabled(e.id(), "failing since " + since + " (" + failures + " failures in a row)", "failing");
            } else {
                remember(updated);
            }
        }
    }

    private Optional<WebhookEndpoint> updateCounters(String id, int failures, Optional<Instant> since) {
        synchronized (lockFor(id)) {
            return endpoints.find(id).flatMap(e -> endpoints.update(new WebhookEndpoint(e.id(), e.url(), e.secret(),
                    e.previousSecret(), e.previousSecretExpiresAt(), e.topics(), e.events(), e.description(), e.enabled(),
                    failures, since, e.createdAt(), e.updatedAt())));
        }
    }

    /**
     * Puts an endpoint whose failure run changed into the cached list in place. Dropping the whole
     * cache instead made every delivery and publish read the endpoint list from the store again while
     * endpoints kept failing: 50 hanging endpoints did that hundreds of times a second.
     */
    private void remember(WebhookEndpoint updated) {
        CachedList c = cache;
        if (c == null || !c.byId.containsKey(updated.id())) {
            return;
        }
        List<WebhookEndpoint> list = new ArrayList<>(c.endpoints.size());
        for (WebhookEndpoint e : c.endpoints) {
            list.add(e.id().equals(updated.id()) ? updated : e);
        }
        cache = CachedList.of(list, c.loadedAtNanos);
    }

    /** Disables an endpoint and says so (log line and metric). */
    void disable(WebhookEndpoint seen, String why, String reasonTag) {
        synchronized (lockFor(seen.id())) {
            Optional<WebhookEndpoint> fresh = endpoints.find(seen.id());
            if (fresh.isEmpty() || !fresh.get().enabled()) {
                return;
            }
            WebhookEndpoint e = fresh.get();
            endpoints.update(new WebhookEndpoint(e.id(), e.url(), e.secret(), e.previousSecret(), e.previousSecretExpiresAt(),
                    e.topics(), e.events(), e.description(), false, e.consecutiveFailures(), e.failingSince(), e.createdAt(),
                    clock.instant()));
        }
        invalidate();
        announceDisabled(seen.id(), why, reasonTag);
    }

    private void announceDisabled(String id, String why, String reasonTag) {
        metrics.count("notify.webhook.endpoints.disabled", 1, "reason", reasonTag);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("endpoint_id", id);
        details.put("reason", reasonTag);
        details.put("detail", why);
        details.put("enable", "POST /api/v1/webhooks/" + id + "/enable");
        context.emitOperationalEvent("webhook.endpoint.disabled", "webhook endpoint " + id + " disabled automatically: " + why
                + "; enable it again with POST /api/v1/webhooks/" + id + "/enable", details);
    }

    private final Map<String, Object> locks = new ConcurrentHashMap<>();

    Object lockFor(String id) {
        return locks.computeIfAbsent(id, k -> new Object());
    }

    private static boolean isHeaderSafe(String v) {
        return v.length() <= 256 && v.chars().allMatch(c -> c >= 0x20 && c < 0x7f);
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m != null ? ": " + m : "");
    }

    // ---- for the API servlet ------------------------------------------------------------------

    ChannelContext context() {
        return context;
    }

    WebhookSettings settings() {
        return settings;
    }

    AddressPolicy policy() {
        return policy;
    }

    @Override
    public void close() {
        closed = true;
        puller.close();
        for (EndpointSlots slots : inFlight.values()) {
            for (Runnable waiting : slots.drain()) {
                ((InLine) waiting).closed();
            }
        }
        http.close();
        signers.clear();
    }

    /** The metric label of a receiver's status: {@code 1xx} to {@code 5xx}, else {@code other}, so a receiver cannot mint series. */
    static String statusLabel(int status) {
        return status >= 100 && status <= 599 ? (status / 100) + "xx" : "other";
    }
}
