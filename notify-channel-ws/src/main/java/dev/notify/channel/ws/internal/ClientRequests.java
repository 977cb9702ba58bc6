package dev.notify.channel.ws.internal;

import dev.notify.api.Excerpts;
import dev.notify.api.Identity;
import dev.notify.api.Preferences;
import dev.notify.api.spi.PreferenceStore;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The client's side of the protocol: a text frame from the client parsed, checked against the
 * user's grants and acted on through its {@link WsConnection}, which gets the answer to send
 * ({@code pong}, {@code subscribed}, {@code unsubscribed}, {@code marked}, or an {@code error}
 * frame naming what was wrong). An {@code ack} has no answer; a {@code resume} starts a replay
 * that ends with {@code resumed}.
 */
final class ClientRequests {

    private ClientRequests() {
    }

    /** A text message from the client: parsed, checked and acted on; a bad one is answered with an {@code error} frame. */
    static void onText(WsConnection c, String text) {
        WsChannel channel = c.channel();
        try {
            Map<String, Object> json;
            try {
                json = channel.context().json().parseObject(text);
            } catch (RuntimeException e) {
                throw new ClientFrame.BadFrame("the frame is not a JSON object: " + firstLine(e.getMessage()), null, null);
            }
            handle(c, ClientFrame.of(json, channel.settings().maxTopics()));
        } catch (ClientFrame.BadFrame e) {
            c.reply(channel.frames().error(e.getMessage(), e.frameType(), e.ref(), c.now()));
        }
    }

    private static void handle(WsConnection c, ClientFrame frame) {
        if (frame instanceof ClientFrame.Ping) {
            c.reply(c.channel().frames().control("pong", c.now(), Map.of(), frame.ref()));
        } else if (frame instanceof ClientFrame.Subscribe) {
            subscribe(c, (ClientFrame.Subscribe) frame);
        } else if (frame instanceof ClientFrame.Unsubscribe) {
            unsubscribe(c, (ClientFrame.Unsubscribe) frame);
        } else if (frame instanceof ClientFrame.Ack) {
            ack(c, (ClientFrame.Ack) frame);
        } else if (frame instanceof ClientFrame.Resume) {
            resume(c, (ClientFrame.Resume) frame);
        } else if (frame instanceof ClientFrame.MarkRead) {
            markRead(c, (ClientFrame.MarkRead) frame);
        } else if (frame instanceof ClientFrame.PreferencesFrame) {
            preferences(c, (ClientFrame.PreferencesFrame) frame);
        }
    }

    private static void subscribe(WsConnection c, ClientFrame.Subscribe f) {
        for (String t : f.topics()) {
            if (!c.identity().mayRead(t)) {
                throw new ClientFrame.BadFrame("topic '" + t + "' is not granted to this user's token; nothing was subscribed",
                        "subscribe", f.ref());
            }
        }
        int max = c.channel().settings().maxTopics();
        List<String> now = c.addTopics(f.topics()).orElseThrow(() ->
                new ClientFrame.BadFrame("at most " + max + " topics may be subscribed on one connection", "subscribe", f.ref()));
        c.reply(c.channel().frames().control("subscribed", c.now(), Map.of("topics", now), f.ref()));
    }

    private static void unsubscribe(WsConnection c, ClientFrame.Unsubscribe f) {
        List<String> now = c.removeTopics(f.topics());
        c.reply(c.channel().frames().control("unsubscribed", c.now(), Map.of("topics", now), f.ref()));
    }

    private static void ack(WsConnection c, ClientFrame.Ack f) {
        if (!c.acknowledge(f.id())) {
            long highest = c.highestSent();
            throw new ClientFrame.BadFrame("ack " + f.id() + " is ahead of the newest event this connection sent ("
                    + (highest == 0 ? "none yet" : Long.toString(highest)) + ")", "ack", f.ref());
        }
    }

    private static void resume(WsConnection c, ClientFrame.Resume f) {
        WsChannel channel = c.channel();
        Identity identity = c.identity();
        long after;
        if (f.after().isPresent()) {
            after = f.after().getAsLong();
        } else {
            ResumeLedger.Position p = channel.ledger().take(f.clientId().get(), identity.userId(), channel.context().clock().millis()).orElseThrow(() ->
                    new ClientFrame.BadFrame("client_id '" + Excerpts.of(f.clientId().get(), 64)
                            + "' is unknown or expired; resume with \"after\" (the last event id you have) instead", "resume", f.ref()));
            after = p.ackedThrough();
            Set<String> granted = new LinkedHashSet<>();
            for (String t : p.topics()) {
                if (identity.mayRead(t)) {
                    granted.add(t);
                }
            }
            // the old connection's topics join when they fit; the replay runs either way
            c.addTopics(granted);
        }
        if (!c.replayAfter(after, f.ref())) {
            throw new ClientFrame.BadFrame("a replay is already running on this connection; wait for its resumed frame", "resume", f.ref());
        }
    }

    private static void markRead(WsConnection c, ClientFrame.MarkRead f) {
        WsChannel channel = c.channel();
        String user = c.identity().userId();
        int n;
        try {
            n = f.all() ? channel.context().inbox().markAllRead(user) : channel.context().inbox().mark(user, f.ids(), true);
        } catch (RuntimeException e) {
            channel.context().logger().log(System.Logger.Level.WARNING, "mark_read of WebSocket client " + c.clientId() + " failed", e);
            throw new ClientFrame.BadFrame("the inbox could not be updated: " + firstLine(e.getMessage()), "mark_read", f.ref());
        }
        // the inbox pushes the new stats to every connection of the user, this one included
        c.reply(channel.frames().control("marked", c.now(), Map.of("updated", n), f.ref()));
    }

    private static void preferences(WsConnection c, ClientFrame.PreferencesFrame f) {
        WsChannel channel = c.channel();
        PreferenceStore store = channel.context().preferences().orElseThrow(() ->
                new ClientFrame.BadFrame("this server applies no user preferences", "preferences", f.ref()));
        String user = c.identity().userId();
        Preferences now;
        try {
            if (f.replacement().isPresent()) {
                store.save(user, f.replacement().get(), channel.context().clock().instant());
            }
            now = store.find(user);
        } catch (RuntimeException e) {
            channel.context().logger().log(System.Logger.Level.WARNING, "preferences of WebSocket client " + c.clientId() + " failed", e);
            throw new ClientFrame.BadFrame("the preferences could not be read or stored: " + firstLine(e.getMessage()), "preferences", f.ref());
        }
        c.reply(channel.frames().control("preferences", c.now(), now.toJson(), f.ref()));
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }
}
